using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests;

/// <summary>The machine's kubectl against a freshly started <c>mcg cluster serve</c>.</summary>
public sealed class KubectlScenarioTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly Kubectl _kubectl = fixture.Kubectl;

    private const string Manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          labels: {app: web, tier: front}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: app
                image: nginx:1.25
                ports:
                - containerPort: 80
                env:
                - {name: A, value: "1"}
                - {name: B, value: "2"}
              - name: side
                image: busybox:1
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: shop
          labels: {app: web}
        data:
          color: blue
          size: large
        """;

    [Fact]
    public async Task ClientSideApplyThenChangeIsAPatch()
    {
        await _kubectl.RunAsync("create namespace shop");
        var first = (await _kubectl.RunAsync("apply -f -", Manifests)).Ok();
        Assert.Contains("deployment.apps/web created", first.Out);
        Assert.Contains("configmap/settings created", first.Out);
        var before = await GetJsonAsync("-n shop deployment web");

        var changed = Manifests.Replace("nginx:1.25", "nginx:1.27").Replace("color: blue", "color: green")
            .Replace("      - name: side\n        image: busybox:1\n", "")
            .Replace("        - {name: A, value: \"1\"}\n", "");
        var second = (await _kubectl.RunAsync("apply -f - -v=6", changed)).Ok();
        Assert.Contains("deployment.apps/web configured", second.Out);
        Assert.Matches("PATCH https://127.0.0.1:\\d+/apis/apps/v1/namespaces/shop/deployments/web", second.Err);
        Assert.DoesNotMatch("PUT https://", second.Err);

        var after = await GetJsonAsync("-n shop deployment web");
        Assert.Equal(before["metadata"]!["uid"]!.GetValue<string>(), after["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(2, after["metadata"]!["generation"]!.GetValue<long>());
        var containers = after["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        var app = Assert.Single(containers);
        Assert.Equal("nginx:1.27", app!["image"]!.GetValue<string>());
        Assert.Equal(["B"], app["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()));
        var cm = await GetJsonAsync("-n shop configmap settings");
        Assert.Equal("green", cm["data"]!["color"]!.GetValue<string>());

        // Server-side apply by another manager conflicts on fields kubectl-client-side-apply owns…
        var conflict = await _kubectl.RunAsync("apply --server-side --field-manager other -f -", changed.Replace("color: green", "color: red"));
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict", conflict.Err, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(".data.color", conflict.Err);
        Assert.Equal("green", (await GetJsonAsync("-n shop configmap settings"))["data"]!["color"]!.GetValue<string>());
        // …unless forced.
        (await _kubectl.RunAsync("apply --server-side --field-manager other --force-conflicts -f -", changed.Replace("color: green", "color: red"))).Ok();
        var forced = await GetJsonAsync("-n shop configmap settings --show-managed-fields");
        Assert.Equal("red", forced["data"]!["color"]!.GetValue<string>());
        Assert.Contains(forced["metadata"]!["managedFields"]!.AsArray(), m => m!["manager"]!.GetValue<string>() == "other" && m["operation"]!.GetValue<string>() == "Apply");
    }

    [Fact]
    public async Task GetLabelAnnotatePatchDelete()
    {
        await _kubectl.RunAsync("create namespace ops");
        (await _kubectl.RunAsync("apply -f -", Manifests.Replace("namespace: shop", "namespace: ops"))).Ok();

        var byLabel = (await _kubectl.RunAsync("-n ops get cm,deploy -l app=web -o name")).Ok();
        Assert.Contains("configmap/settings", byLabel.Out);
        Assert.Contains("deployment.apps/web", byLabel.Out);
        Assert.Equal("", (await _kubectl.RunAsync("-n ops get cm -l app!=web -o name")).Ok().Out.Trim());
        Assert.Contains("settings", (await _kubectl.RunAsync("-n ops get cm -l 'app in (web,api)' -o name")).Ok().Out);

        (await _kubectl.RunAsync("-n ops label cm settings env=prod")).Ok();
        (await _kubectl.RunAsync("-n ops annotate cm settings owner=team-a")).Ok();
        var cm = await GetJsonAsync("-n ops cm settings");
        Assert.Equal("prod", cm["metadata"]!["labels"]!["env"]!.GetValue<string>());
        Assert.Equal("team-a", cm["metadata"]!["annotations"]!["owner"]!.GetValue<string>());

        (await _kubectl.RunAsync("""-n ops patch cm settings --type merge -p '{"data":{"size":null,"shape":"round"}}'""")).Ok();
        (await _kubectl.RunAsync("""-n ops patch cm settings --type json -p '[{"op":"replace","path":"/data/color","value":"black"}]'""")).Ok();
        cm = await GetJsonAsync("-n ops cm settings");
        Assert.Equal("""{"color":"black","shape":"round"}""", cm["data"]!.ToJsonString());
        var badJson = await _kubectl.RunAsync("""-n ops patch cm settings --type json -p '[{"op":"test","path":"/data/color","value":"white"}]'""");
        Assert.NotEqual(0, badJson.ExitCode);

        (await _kubectl.RunAsync("""-n ops patch deploy web --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:2"}]}}}}'""")).Ok();
        var deploy = await GetJsonAsync("-n ops deploy web");
        var containers = deploy["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(2, containers.Count);
        Assert.Equal("nginx:1.25", containers[0]!["image"]!.GetValue<string>());
        Assert.Equal("busybox:2", containers[1]!["image"]!.GetValue<string>());

        var table = (await _kubectl.RunAsync("-n ops get deploy")).Ok();
        Assert.Contains("NAME", table.Out);
        Assert.Contains("web", table.Out);

        Assert.Contains("deleted", (await _kubectl.RunAsync("-n ops delete cm settings")).Ok().Out);
        var gone = await _kubectl.RunAsync("-n ops get cm settings");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Err);
    }

    [Fact]
    public async Task WatchPrintsConcurrentChanges()
    {
        await _kubectl.RunAsync("create namespace watched");
        (await _kubectl.RunAsync("-n watched create configmap first --from-literal=a=1")).Ok();
        using var watch = _kubectl.Start("-n watched get cm -w -o name");
        var lines = new List<string>();
        var sawSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(e.Data);
            }
            if (e.Data.Contains("second"))
            {
                sawSecond.TrySetResult();
            }
        };
        watch.BeginOutputReadLine();
        await Task.Delay(1500);
        (await _kubectl.RunAsync("-n watched create configmap second --from-literal=b=2")).Ok();
        await sawSecond.Task.WaitAsync(TimeSpan.FromSeconds(20));
        watch.Kill(true);
        lock (lines)
        {
            Assert.Contains(lines, l => l.Contains("configmap/first"));
            Assert.Contains(lines, l => l.Contains("configmap/second"));
        }
    }

    [Fact]
    public async Task CustomResourceDefinitionThenResourcesByShortName()
    {
        const string crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.demo.example.com
            spec:
              group: demo.example.com
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wg]}
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                schema:
                  openAPIV3Schema:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
            """;
        (await _kubectl.RunAsync("apply -f -", crd)).Ok();
        (await _kubectl.RunAsync("wait --for condition=established --timeout=30s crd/widgets.demo.example.com")).Ok();
        await _kubectl.RunAsync("create namespace toys");
        (await _kubectl.RunAsync("apply -f -", """
            apiVersion: demo.example.com/v1
            kind: Widget
            metadata: {name: sprocket, namespace: toys, labels: {size: small}}
            spec: {teeth: 12}
            ---
            apiVersion: demo.example.com/v1
            kind: Widget
            metadata: {name: gear, namespace: toys, labels: {size: big}}
            spec: {teeth: 40}
            """)).Ok();
        var listed = (await _kubectl.RunAsync("-n toys get wg")).Ok();
        Assert.Contains("sprocket", listed.Out);
        Assert.Contains("gear", listed.Out);
        Assert.Equal("widget.demo.example.com/gear", (await _kubectl.RunAsync("-n toys get wg -l size=big -o name")).Ok().Out.Trim());
        // A change to a custom resource goes as a merge patch (kubectl has no strategic patch for CRDs).
        (await _kubectl.RunAsync("apply -f -", """
            apiVersion: demo.example.com/v1
            kind: Widget
            metadata: {name: gear, namespace: toys, labels: {size: big}}
            spec: {teeth: 42}
            """)).Ok();
        Assert.Equal(42, (await GetJsonAsync("-n toys widget gear"))["spec"]!["teeth"]!.GetValue<int>());
    }

    [Fact]
    public async Task KustomizeOutputApplies()
    {
        var dir = Directory.CreateTempSubdirectory("mcg-kustomize-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), """
            namespace: kust
            namePrefix: dev-
            commonLabels: {team: blue}
            resources: [cm.yaml]
            configMapGenerator:
            - name: generated
              literals: [mode=fast]
            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "cm.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: base}
            data: {k: v}
            """);
        var rendered = (await _kubectl.RunAsync($"kustomize {dir}")).Ok().Out;
        await _kubectl.RunAsync("create namespace kust");
        (await _kubectl.RunAsync("apply -f -", rendered)).Ok();
        var names = (await _kubectl.RunAsync("-n kust get cm -l team=blue -o name")).Ok().Out;
        Assert.Contains("configmap/dev-base", names);
        Assert.Matches("configmap/dev-generated-[a-z0-9]{10}", names);
    }

    private async Task<JsonObject> GetJsonAsync(string args) =>
        (JsonObject)JsonNode.Parse((await _kubectl.RunAsync($"get {args} -o json")).Ok().Out)!;
}
