using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.GitOps.Rendering.Kustomize;
using Mcg.Kube.Objects;

namespace Mcg.Bench;

/// <summary>
/// Native kustomize rendering against <c>kubectl kustomize</c> on a generated overlay of 1,000 objects: ten bases of
/// Deployments, Services, ServiceAccounts and ConfigMaps with generators, under an overlay with a prefix, namespace,
/// labels, images, replicas, strategic-merge and JSON patches and a generator merge. Outputs must be identical.
/// </summary>
public static class RenderBench
{
    private const int Bases = 10;
    private const int PerKind = 25;

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var root = Directory.CreateTempSubdirectory("mcg-render-bench-").FullName;
        try
        {
            var overlay = Create(root);
            var renderer = new KustomizeRenderer();
            var ours = renderer.Render(overlay);
            var (peerObjects, peerMs) = await KubectlAsync(overlay);
            if (ours.Count != peerObjects.Count || !ours.Zip(peerObjects).All(p => JsonNode.DeepEquals(p.First, p.Second)))
            {
                throw new InvalidOperationException("KustomizeRenderer output differs from kubectl kustomize");
            }
            var peerTimes = new List<double> { peerMs };
            for (var i = 0; i < (quick ? 1 : 2); i++)
            {
                peerTimes.Add((await KubectlAsync(overlay)).Ms);
            }
            for (var i = 0; i < 3; i++)
            {
                renderer.Render(overlay);
            }
            var times = new List<double>();
            for (var i = 0; i < (quick ? 5 : 11); i++)
            {
                var sw = Stopwatch.StartNew();
                renderer.Render(overlay);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            var oursMs = Median(times);
            return
            [
                new BenchRow($"kustomize render, {ours.Count:N0} objects (median)", oursMs, "ms", Median(peerTimes), ">= 10x faster", false),
                new BenchRow("kustomize render throughput", ours.Count / (oursMs / 1000), "objects/s", ours.Count / (Median(peerTimes) / 1000), "-", true),
            ];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Writes the bases and the overlay under <paramref name="root"/>; returns the overlay directory.</summary>
    public static string Create(string root)
    {
        var overlay = Path.Combine(root, "overlay");
        Directory.CreateDirectory(overlay);
        var resources = new StringBuilder("resources:\n");
        for (var b = 0; b < Bases; b++)
        {
            var dir = Path.Combine(root, $"base{b}");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "kustomization.yaml"), $$"""
                namePrefix: b{{b}}-
                commonLabels:
                  base: "{{b}}"
                resources:
                - objects.yaml
                configMapGenerator:
                - name: settings
                  literals:
                  - BASE={{b}}
                  - LEVEL=info
                """);
            var objects = new StringBuilder();
            for (var i = 0; i < PerKind; i++)
            {
                objects.Append($$"""
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: app{{i}}
                    spec:
                      replicas: 1
                      selector:
                        matchLabels:
                          app: app{{i}}
                      template:
                        metadata:
                          labels:
                            app: app{{i}}
                        spec:
                          serviceAccountName: sa{{i}}
                          containers:
                          - name: app
                            image: example/app:1.0
                            envFrom:
                            - configMapRef:
                                name: settings
                            - configMapRef:
                                name: cfg{{i}}
                            ports:
                            - containerPort: 8080
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: app{{i}}
                    spec:
                      selector:
                        app: app{{i}}
                      ports:
                      - port: 80
                        targetPort: 8080
                    ---
                    apiVersion: v1
                    kind: ServiceAccount
                    metadata:
                      name: sa{{i}}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: cfg{{i}}
                    data:
                      index: "{{i}}"
                    ---

                    """);
            }
            File.WriteAllText(Path.Combine(dir, "objects.yaml"), objects.ToString());
            resources.Append($"- ../base{b}\n");
        }
        File.WriteAllText(Path.Combine(overlay, "kustomization.yaml"), resources + """
            namespace: bench
            namePrefix: prod-
            commonLabels:
              env: prod
            commonAnnotations:
              owner: bench
            images:
            - name: example/app
              newTag: "2.0"
            replicas:
            - name: b0-app0
              count: 3
            configMapGenerator:
            - name: shared
              literals:
              - REGION=eu
            patches:
            - target:
                kind: Deployment
              patch: |-
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: any
                spec:
                  template:
                    spec:
                      containers:
                      - name: app
                        envFrom:
                        - configMapRef:
                            name: shared
                        resources:
                          limits:
                            memory: 256Mi
            - target:
                kind: Service
                name: ".*app1.*"
              patch: |-
                - op: add
                  path: /spec/sessionAffinity
                  value: ClientIP
            """);
        return overlay;
    }

    private static async Task<(IReadOnlyList<JsonNode?> Objects, double Ms)> KubectlAsync(string dir)
    {
        var sw = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("kubectl", ["kustomize", dir]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var ms = sw.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize failed: {await stderr}");
        }
        return (YamlJson.ParseAll(await stdout, "kubectl output"), ms);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
