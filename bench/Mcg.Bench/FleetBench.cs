using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Work;
using Mcg.GitOps.ApplicationSets;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Bench;

/// <summary>
/// Fleet fan-out: a real hub process (`mcg hub`), N managed clusters whose work agents run in this process over the
/// hub's HTTPS API (each cluster an in-memory store), one ApplicationSet (clusters generator) giving every cluster a
/// 20-ConfigMap application. Measures commit → applied on each cluster and → every Application Synced on the hub,
/// the hub's CPU seconds for that rollout and its peak memory per cluster.
/// </summary>
public static class FleetBench
{
    private const int Resources = 20;

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var sizes = args.SkipWhile(a => a != "--clusters").Skip(1).Take(1).SelectMany(a => a.Split(',')).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        if (sizes.Count == 0)
        {
            sizes = args.Contains("--quick") ? [20] : [100];
        }
        var rows = new List<BenchRow>();
        foreach (var n in sizes)
        {
            rows.AddRange(await RunOnceAsync(n, args));
        }
        return rows;
    }

    private static async Task<IReadOnlyList<BenchRow>> RunOnceAsync(int n, string[] args)
    {
        var root = Directory.CreateTempSubdirectory("mcg-bench-fleet-").FullName;
        using var stop = new CancellationTokenSource();
        Process? hub = null;
        var agents = new List<Task>();
        try
        {
            var repo = Path.Combine(root, "repo");
            Git(root, "init", "-q", "-b", "main", repo);
            Git(repo, "config", "user.email", "bench@example.com");
            Git(repo, "config", "user.name", "bench");
            var rev = Commit(repo, 0);

            hub = StartHub(root);
            var kubeconfig = Path.Combine(root, "hub", "kubeconfig");
            await WaitAsync(() => Task.FromResult(File.Exists(kubeconfig)), TimeSpan.FromSeconds(60));
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            await WaitAsync(async () => await Try(() => client.GetAsync(ResourceRef.Namespaces, null, "argocd")) is not null
                && await Try(() => client.GetAsync(ResourceRef.CustomResourceDefinitions, null, "applicationsets.argoproj.io")) is not null
                && await Try(() => client.GetAsync(ResourceRef.CustomResourceDefinitions, null, "manifestworks.work.open-cluster-management.io")) is not null, TimeSpan.FromSeconds(120));
            var baseline = Memory(hub, "VmRSS");

            // Every cluster's agent, in this process, over the hub API; each cluster reports when all 20 values of a version arrived.
            var applied = new ConcurrentDictionary<(string Cluster, int Version), DateTime>();
            for (var i = 0; i < n; i++)
            {
                var name = $"bench-{i:D4}";
                await client.ApplyAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } }, new ApplyOptions("bench"));
                await client.ApplyAsync(OcmCrds.ManagedClusters, new JsonObject
                {
                    ["apiVersion"] = OcmCrds.ManagedClusters.ApiVersion,
                    ["kind"] = "ManagedCluster",
                    ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["bench"] = "true" } },
                    ["spec"] = new JsonObject { ["hubAcceptsClient"] = true },
                }, new ApplyOptions("bench"));
                var cluster = new InMemoryCluster();
                var seen = new ConcurrentDictionary<(int Version, string Name), bool>();
                cluster.ConfigMapWritten += cm =>
                {
                    var value = cm["data"]?["value"]?.GetValue<string>() ?? "";
                    var dash = value.IndexOf('-', 1);
                    if (value.StartsWith('v') && dash > 0 && int.TryParse(value[1..dash], CultureInfo.InvariantCulture, out var version) && seen.TryAdd((version, cm.Name()!), true)
                        && seen.Keys.Count(k => k.Version == version) == Resources)
                    {
                        applied.TryAdd((name, version), DateTime.UtcNow);
                    }
                };
                agents.Add(Task.Run(() => new WorkAgent(client, cluster, name, NullLoggerFactory.Instance).RunAsync(stop.Token)));
            }

            var started = DateTime.UtcNow;
            await client.ApplyAsync(ApplicationSetController.ApplicationSets, (JsonObject)JsonNode.Parse($$$"""
                {"apiVersion":"argoproj.io/v1alpha1","kind":"ApplicationSet","metadata":{"name":"bench","namespace":"argocd"},
                 "spec":{"generators":[{"clusters":{"selector":{"matchLabels":{"bench":"true"} } } }],
                  "template":{"metadata":{"name":"{{name}}-bench"},
                   "spec":{"project":"default","source":{"repoURL":"{{{new Uri(repo).AbsoluteUri}}}","targetRevision":"main","path":"app"},
                    "destination":{"name":"{{name}}","namespace":"bench"},
                    "syncPolicy":{"automated":{"prune":true},"syncOptions":["CreateNamespace=true"]} } } } }
                """)!, new ApplyOptions("bench"));
            await WaitAsync(() => Task.FromResult(applied.Count(a => a.Key.Version == 0) == n), TimeSpan.FromMinutes(10));
            var initial = (DateTime.UtcNow - started).TotalSeconds;
            await WaitAsync(() => AllSyncedAsync(client, rev, n), TimeSpan.FromMinutes(10), pollMs: 1000);
            var initialSynced = (DateTime.UtcNow - started).TotalSeconds;

            var cpu0 = CpuSeconds(hub);
            Console.Error.WriteLine($"fleet N={n}: initial rollout done in {initialSynced:0.0} s; committing (hub pid {hub.Id})");
            rev = Commit(repo, 1);
            var t0 = DateTime.UtcNow;
            await WaitAsync(() => Task.FromResult(applied.Count(a => a.Key.Version == 1) == n), TimeSpan.FromMinutes(10));
            var allApplied = (DateTime.UtcNow - t0).TotalSeconds;
            await WaitAsync(() => AllSyncedAsync(client, rev, n), TimeSpan.FromMinutes(10), pollMs: 1000);
            var allSynced = (DateTime.UtcNow - t0).TotalSeconds;
            var cpu = CpuSeconds(hub) - cpu0;
            var peak = Memory(hub, "VmHWM");
            if (Hold(args) is { } hold)
            {
                // For profiling: the hub stays up (e.g. for dotnet-gcdump / dotnet-trace) before it is stopped.
                Console.Error.WriteLine($"fleet N={n}: all synced; hub pid {hub.Id} held for {hold.TotalSeconds:0} s");
                await Task.Delay(hold);
            }
            var latencies = applied.Where(a => a.Key.Version == 1).Select(a => (a.Value - t0).TotalSeconds).Order().ToList();
            return
            [
                new BenchRow($"fleet N={n}: ApplicationSet -> all {Resources}-res apps applied", initial, "s", null, "-", false),
                new BenchRow($"fleet N={n}: ApplicationSet -> all Synced on hub", initialSynced, "s", null, "-", false),
                new BenchRow($"fleet N={n}: commit -> applied on cluster p50", Percentile(latencies, 0.5), "s", null, "-", false),
                new BenchRow($"fleet N={n}: commit -> applied on cluster p99", Percentile(latencies, 0.99), "s", null, "< 60", false),
                new BenchRow($"fleet N={n}: commit -> applied on every cluster", allApplied, "s", null, "< 60", false),
                new BenchRow($"fleet N={n}: commit -> every app Synced on hub", allSynced, "s", null, "< 60", false),
                new BenchRow($"fleet N={n}: hub CPU for the commit's rollout", cpu, "s", null, "-", false),
                new BenchRow($"fleet N={n}: hub peak RSS", peak / 1024.0 / 1024, "MiB", null, "-", false),
                new BenchRow($"fleet N={n}: hub peak RSS per cluster", peak / 1024.0 / n, "KiB", null, "< 1024", false),
                new BenchRow($"fleet N={n}: hub RSS above idle, per cluster", Math.Max(0, peak - baseline) / 1024.0 / n, "KiB", null, "< 1024", false),
            ];
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(agents.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
            if (hub is { HasExited: false })
            {
                hub.Kill(true);
                await hub.WaitForExitAsync();
            }
            hub?.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The hub as its own process, so its CPU and memory are its own; it re-reads Git every 5 s (no webhook on the hub yet).</summary>
    private static Process StartHub(string root)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mcg.dll"), "hub", "--data", Path.Combine(root, "hub"), "--app-resync", "5" })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["HOME"] = root;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static TimeSpan? Hold(string[] args) =>
        args.SkipWhile(a => a != "--hold").Skip(1).Select(a => TimeSpan.FromSeconds(int.Parse(a, CultureInfo.InvariantCulture))).Cast<TimeSpan?>().FirstOrDefault();

    private static async Task<bool> AllSyncedAsync(IKubeClient client, string revision, int n)
    {
        var apps = (await client.ListAsync(ApplicationController.Applications, "argocd")).Items;
        return apps.Count(a => a["status"]?["sync"]?["revision"]?.GetValue<string>() == revision && a["status"]?["sync"]?["status"]?.GetValue<string>() == "Synced") >= n;
    }

    private static string Commit(string repo, int version)
    {
        var dir = Path.Combine(repo, "app");
        Directory.CreateDirectory(dir);
        var text = new StringBuilder();
        for (var i = 0; i < Resources; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:D2}\ndata:\n  value: v{version}-{i}\n---\n");
        }
        File.WriteAllText(Path.Combine(dir, "configmaps.yaml"), text.ToString());
        Git(repo, "add", "-A");
        Git(repo, "commit", "-q", "-m", $"v{version}");
        return Git(repo, "rev-parse", "HEAD").Trim();
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    /// <summary>user + system CPU of a process, from /proc (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(Process p)
    {
        var fields = File.ReadAllText($"/proc/{p.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>A memory figure of /proc/PID/status in bytes (VmRSS now, VmHWM the peak).</summary>
    private static double Memory(Process p, string field)
    {
        var line = File.ReadLines($"/proc/{p.Id}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024.0;
    }

    private static async Task<JsonObject?> Try(Func<Task<JsonObject?>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, int pollMs = 50)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException("the fleet did not converge in time");
            }
            await Task.Delay(pollMs);
        }
    }

    private static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', args)} failed");
    }
}
