using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests.Conformance;

/// <summary>Discovery (aggregated and legacy) and the kubectl commands built on it: api-resources, get all, wait, describe.</summary>
public sealed class DiscoveryConformanceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string AggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private readonly ApiHttp _http = fixture.Http;
    private readonly Kubectl _kubectl = fixture.Kubectl;

    [Fact]
    public async Task ApiResourcesListsBuiltInsAndAFreshCustomResource()
    {
        var before = (await _kubectl.RunAsync("api-resources")).Ok().Out;
        Assert.Matches(@"(?m)^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\s*$", before.Split('\n')[0]);
        Assert.Matches(@"(?m)^configmaps\s+cm\s+v1\s+true\s+ConfigMap\s*$", before);
        Assert.Matches(@"(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace\s*$", before);
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment\s*$", before);
        Assert.Matches(@"(?m)^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io/v1\s+false\s+CustomResourceDefinition\s*$", before);
        Assert.DoesNotContain("doohickeys", before);

        await CreateCrdAsync();
        // kubectl caches discovery; api-resources refreshes it.
        var after = (await _kubectl.RunAsync("api-resources --api-group=disco.example.com")).Ok().Out;
        Assert.Matches(@"(?m)^doohickeys\s+dh\s+disco.example.com/v1\s+true\s+Doohickey\s*$", after);
        var wide = (await _kubectl.RunAsync("api-resources -o wide --api-group=apps")).Ok().Out;
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all\s*$", wide);
        // The new kind is usable right away through the cached-discovery path too.
        (await _kubectl.RunAsync("create namespace disco")).Ok();
        (await _kubectl.RunAsync("apply -f -", """
            apiVersion: disco.example.com/v1
            kind: Doohickey
            metadata: {name: d1, namespace: disco}
            spec: {size: 3}
            """)).Ok();
        Assert.Equal("doohickey.disco.example.com/d1", (await _kubectl.RunAsync("-n disco get dh -o name")).Ok().Out.Trim());
    }

    [Fact]
    public async Task AggregatedDiscoveryDocuments()
    {
        var core = await _http.GetAsync("/api", AggregatedAccept);
        Assert.Equal(200, core.Code);
        Assert.StartsWith("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", core.ContentType?.Replace(" ", ""));
        var coreItem = Assert.Single(core.Json["items"]!.AsArray())!;
        Assert.Null(coreItem["metadata"]!["name"]);
        var cms = Resource(coreItem, "v1", "configmaps");
        Assert.Equal("Namespaced", cms["scope"]!.GetValue<string>());
        Assert.Equal("ConfigMap", cms["responseKind"]!["kind"]!.GetValue<string>());
        Assert.Equal("configmap", cms["singularResource"]!.GetValue<string>());
        var namespaces = Resource(coreItem, "v1", "namespaces");
        Assert.Equal("Cluster", namespaces["scope"]!.GetValue<string>());
        Assert.Contains(namespaces["subresources"]!.AsArray(), s => s!["subresource"]!.GetValue<string>() == "status");

        var groups = (await _http.GetAsync("/apis", AggregatedAccept)).Expect(200);
        Assert.Equal("APIGroupDiscoveryList", groups["kind"]!.GetValue<string>());
        Assert.Equal("apidiscovery.k8s.io/v2", groups["apiVersion"]!.GetValue<string>());
        var apps = Assert.Single(groups["items"]!.AsArray(), g => g!["metadata"]!["name"]!.GetValue<string>() == "apps")!;
        var deployments = Resource(apps, "v1", "deployments");
        Assert.Equal(["all"], deployments["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        var status = Assert.Single(deployments["subresources"]!.AsArray(), s => s!["subresource"]!.GetValue<string>() == "status")!;
        Assert.Equal(["get", "patch", "update"], status["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("""{"group":"apps","version":"v1","kind":"Deployment"}""", status["responseKind"]!.ToKubeJson());
        var scale = Assert.Single(deployments["subresources"]!.AsArray(), s => s!["subresource"]!.GetValue<string>() == "scale")!;
        Assert.Equal("""{"group":"autoscaling","version":"v1","kind":"Scale"}""", scale["responseKind"]!.ToKubeJson());
        Assert.Equal("Current", apps["versions"]![0]!["freshness"]!.GetValue<string>());

        // Without the aggregated Accept: the legacy documents.
        var legacy = (await _http.GetAsync("/api")).Expect(200);
        Assert.Equal("APIVersions", legacy["kind"]!.GetValue<string>());
        Assert.Equal(["v1"], legacy["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        var groupList = (await _http.GetAsync("/apis")).Expect(200);
        Assert.Equal("APIGroupList", groupList["kind"]!.GetValue<string>());
        var appsGroup = (await _http.GetAsync("/apis/apps")).Expect(200);
        Assert.Equal("APIGroup", appsGroup["kind"]!.GetValue<string>());
        Assert.Equal("apps/v1", appsGroup["preferredVersion"]!["groupVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task LegacyResourceListsIncludeSubresources()
    {
        var core = (await _http.GetAsync("/api/v1")).Expect(200);
        Assert.Equal("APIResourceList", core["kind"]!.GetValue<string>());
        Assert.Equal("v1", core["groupVersion"]!.GetValue<string>());
        var names = core["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("pods/status", names);
        Assert.Contains("namespaces/status", names);
        Assert.Contains("namespaces/finalize", names);
        Assert.Contains("serviceaccounts/token", names);
        Assert.DoesNotContain("configmaps/status", names);
        var podStatus = core["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "pods/status")!;
        Assert.Equal("Pod", podStatus["kind"]!.GetValue<string>());
        Assert.True(podStatus["namespaced"]!.GetValue<bool>());

        var apps = (await _http.GetAsync("/apis/apps/v1")).Expect(200);
        Assert.Equal("apps/v1", apps["groupVersion"]!.GetValue<string>());
        Assert.Contains(apps["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "deployments/status");
        // Subresources answering with another group's kind say so (the scale client relies on it).
        var scale = apps["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "deployments/scale")!;
        Assert.Equal(("autoscaling", "v1", "Scale"), (scale["group"]!.GetValue<string>(), scale["version"]!.GetValue<string>(), scale["kind"]!.GetValue<string>()));
        var token = core["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "serviceaccounts/token")!;
        Assert.Equal(("authentication.k8s.io", "v1", "TokenRequest"), (token["group"]!.GetValue<string>(), token["version"]!.GetValue<string>(), token["kind"]!.GetValue<string>()));

        await CreateCrdAsync();
        var custom = (await _http.GetAsync("/apis/disco.example.com/v1")).Expect(200);
        var plural = custom["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "doohickeys")!;
        Assert.Equal(["dh"], plural["shortNames"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains(custom["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "doohickeys/status");
        (await _http.GetAsync("/apis/disco.example.com/v2")).Expect(404);
    }

    [Fact]
    public async Task KubectlGetAllWaitAndDescribe()
    {
        const string ns = "kubectl-tools";
        (await _kubectl.RunAsync($"create namespace {ns}")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create deployment web --image=nginx:1 --replicas=2")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create service clusterip web --tcp=80:8080")).Ok();
        (await _kubectl.RunAsync($"-n {ns} create configmap settings --from-literal=color=blue")).Ok();

        // get all: the "all" category (deployments, services, pods…), but not ConfigMaps; upstream's columns.
        var all = (await _kubectl.RunAsync($"-n {ns} get all")).Ok().Out;
        Assert.Matches(@"(?m)^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s*$", all);
        Assert.Matches(@"(?m)^deployment.apps/web\s+0/2\s+0\s+0\s+\d+s\s*$", all);
        Assert.Matches(@"(?m)^service/web\s+ClusterIP\s+", all);
        Assert.DoesNotContain("configmap", all);
        var cms = (await _kubectl.RunAsync($"-n {ns} get configmaps")).Ok().Out;
        Assert.Matches(@"(?m)^NAME\s+DATA\s+AGE\s*$", cms);
        Assert.Matches(@"(?m)^settings\s+1\s+\d+s\s*$", cms);
        var wide = (await _kubectl.RunAsync($"-n {ns} get deployment web -o wide")).Ok().Out;
        Assert.Matches(@"(?m)^web\s+0/2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\s+app=web\s*$", wide);

        // wait --for=condition: satisfied once a controller (here: us) reports it in status.
        var waiting = _kubectl.RunAsync($"-n {ns} wait --for=condition=Available --timeout=30s deployment/web");
        await Task.Delay(1000);
        Assert.False(waiting.IsCompleted);
        (await _kubectl.RunAsync($$$"""-n {{{ns}}} patch deployment web --subresource=status --type=merge -p '{"status":{"replicas":2,"readyReplicas":2,"availableReplicas":2,"updatedReplicas":2,"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"ok"}]}}'""")).Ok();
        Assert.Contains("deployment.apps/web condition met", (await waiting).Ok().Out);
        Assert.Contains("condition met", (await _kubectl.RunAsync($"-n {ns} wait --for=jsonpath={{.status.readyReplicas}}=2 --timeout=10s deployment/web")).Ok().Out);
        Assert.Matches(@"(?m)^web\s+2/2\s+2\s+2\s+", (await _kubectl.RunAsync($"-n {ns} get deployment web")).Ok().Out);

        // describe needs the object (twice) and an events list.
        var cm = (await _kubectl.RunAsync($"-n {ns} describe configmap settings")).Ok().Out;
        Assert.Matches(@"(?m)^Name:\s+settings\s*$", cm);
        Assert.Matches(@"(?m)^Namespace:\s+kubectl-tools\s*$", cm);
        Assert.Contains("color:", cm);
        Assert.Contains("blue", cm);
        Assert.Matches(@"(?m)^Events:\s+<none>\s*$", cm);
        var deploy = (await _kubectl.RunAsync($"-n {ns} describe deployment web")).Ok().Out;
        Assert.Matches(@"(?m)^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable\s*$", deploy);
        Assert.Matches(@"(?m)^\s+Image:\s+nginx:1\s*$", deploy);
        Assert.Matches(@"(?m)^\s+Available\s+True\s+MinimumReplicasAvailable\s*$", deploy);

        // wait --for=delete returns once the object is gone.
        var gone = _kubectl.RunAsync($"-n {ns} wait --for=delete --timeout=30s configmap/settings");
        (await _kubectl.RunAsync($"-n {ns} delete configmap settings")).Ok();
        (await gone).Ok();
    }

    private async Task CreateCrdAsync()
    {
        (await _kubectl.RunAsync("apply -f -", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: doohickeys.disco.example.com}
            spec:
              group: disco.example.com
              scope: Namespaced
              names: {plural: doohickeys, singular: doohickey, kind: Doohickey, shortNames: [dh]}
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """)).Ok();
        (await _kubectl.RunAsync("wait --for condition=established --timeout=30s crd/doohickeys.disco.example.com")).Ok();
    }

    private static JsonObject Resource(JsonNode groupItem, string version, string plural)
    {
        var v = groupItem["versions"]!.AsArray().Single(x => x!["version"]!.GetValue<string>() == version)!;
        return v["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == plural)!.AsObject();
    }
}
