using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;
using Mcg.Patterns.Tests.Support;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Tests.Generation;

/// <summary>
/// The imperative objects against what validatedpatterns/clustergroup-chart's templates/imperative/ render for the
/// same values (job.yaml, _helpers.tpl, configmap.yaml, serviceaccount.yaml, role.yaml, clusterrole.yaml, rbac.yaml).
/// </summary>
public class ImperativeGenerationTests
{
    private static GenerationContext Context(ClusterFacts facts, string? cluster = null) =>
        new("https://github.com/example/multi'cloud.git", "main", "argocd", facts, null) { ManagedCluster = cluster };

    [Fact]
    public void HubJobsBecomeTheChartsCronJobWithTheValuesItSaw()
    {
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.MulticloudGitops, null, Fixtures.Hub()), Context(Fixtures.Hub()));
        var cron = set.Objects.Single(o => o.Kind() == "CronJob");
        Assert.Equal(("imperative-cronjob", "imperative"), (cron.Name(), cron.Namespace()));
        Assert.Equal("*/10 * * * *", cron["spec"]!["schedule"]!.GetValue<string>());
        Assert.Equal("Forbid", cron["spec"]!["concurrencyPolicy"]!.GetValue<string>());
        var pod = cron["spec"]!["jobTemplate"]!["spec"]!;
        Assert.Equal(3600, pod["activeDeadlineSeconds"]!.GetValue<long>());
        var spec = pod["template"]!["spec"]!;
        Assert.Equal("imperative-sa", spec["serviceAccountName"]!.GetValue<string>());
        var init = spec["initContainers"]!.AsArray();
        Assert.Equal(["fetch-ca", "git-init", "hello-world"], init.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(["timeout", "234", "ansible-playbook", "-e", "@/values/values.yaml", "rhvp.cluster_utils.hello_world"],
            init[2]!["command"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("/git/repo", init[2]!["workingDir"]!.GetValue<string>());
        // The repository URL is quoted for the shell even when it holds a quote.
        Assert.Contains("--branch 'main' --depth 1 -- 'https://github.com/example/multi'\\''cloud.git' /git/repo", init[1]!["command"]![2]!.GetValue<string>());
        Assert.Equal("helm-values-configmap-hub", spec["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "values-volume")!["configMap"]!["name"]!.GetValue<string>());

        var values = YamlJson.Parse(set.Objects.Single(o => o.Kind() == "ConfigMap" && o.Name() == "helm-values-configmap-hub")["data"]!["values.yaml"]!.GetValue<string>())!;
        Assert.Equal("hub", values["clusterGroup"]!["name"]!.GetValue<string>());
        Assert.Equal("AWS", values["global"]!["clusterPlatform"]!.GetValue<string>());
        Assert.Equal("argocd", values["global"]!["namespace"]!.GetValue<string>());
        Assert.Equal("multicloud-gitops", values["global"]!["pattern"]!.GetValue<string>());

        Assert.Equal("multicloud-gitops-hub", set.Objects.Single(o => o.Kind() == "Namespace" && o.Name() == "imperative").Labels()["argocd.argoproj.io/managed-by"]);
        Assert.Equal(["imperative-sa", "imperative-admin-sa"], set.Objects.Where(o => o.Kind() == "ServiceAccount").Select(o => o.Name()));
        var reader = set.Objects.Single(o => o.Kind() == "ClusterRole" && o.Name() == "imperative-cluster-role");
        Assert.Equal(["get", "list", "watch"], reader["rules"]![0]!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["imperative-admin-clusterrolebinding", "imperative-cluster-rolebinding"],
            set.Objects.Where(o => o.Kind() == "ClusterRoleBinding").Select(o => o.Name()!).Order());
        Assert.Equal("imperative-role", set.Objects.Single(o => o.Kind() == "RoleBinding")["roleRef"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void JobOptionsOverridesAndDisabledJobs()
    {
        var repo = Fixtures.Repository(
            ("values-global.yaml", "global: {pattern: p}\nmain: {clusterGroupName: hub}\n"),
            ("values-hub.yaml", """
                clusterGroup:
                  name: hub
                  imperative:
                    namespace: ops
                    schedule: "0 * * * *"
                    serviceAccountCreate: false
                    adminServiceAccountCreate: false
                    roleYaml: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
                    jobs:
                      - {name: first, playbook: a.yml, image: my/image:1, tags: "t1,t2", verbosity: -vv, extravars: ["x=1", "y=2"]}
                      - {name: skipped, playbook: b.yml, disabled: true}
                """));
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(repo, null, Fixtures.Hub()), Context(Fixtures.Hub()));
        var cron = set.Objects.Single(o => o.Kind() == "CronJob");
        Assert.Equal(("ops", "0 * * * *"), (cron.Namespace(), cron["spec"]!["schedule"]!.GetValue<string>()));
        var first = cron["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!["initContainers"]!.AsArray().Last()!;
        Assert.Equal(("first", "my/image:1"), (first["name"]!.GetValue<string>(), first["image"]!.GetValue<string>()));
        Assert.Equal(["timeout", "600", "ansible-playbook", "-vv", "-t", "t1,t2", "-e", "@/values/values.yaml", "-e", "x=1", "-e", "y=2", "a.yml"],
            first["command"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.DoesNotContain(set.Objects, o => o.Kind() is "ServiceAccount" or "ClusterRole" or "ClusterRoleBinding");
        Assert.Equal("configmaps", set.Objects.Single(o => o.Kind() == "Role")["rules"]![0]!["resources"]![0]!.GetValue<string>());
    }

    [Fact]
    public void NoEnabledJobsGenerateNothingAndAMapOfJobsIsAnError()
    {
        var none = Fixtures.Repository(("values-global.yaml", "global: {pattern: p}\nmain: {clusterGroupName: hub}\n"),
            ("values-hub.yaml", "clusterGroup:\n  name: hub\n  imperative:\n    jobs: [{name: a, playbook: a.yml, disabled: true}]\n"));
        Assert.DoesNotContain(ClusterGroupGenerator.Hub(PatternValues.Read(none, null, Fixtures.Hub()), Context(Fixtures.Hub())).Objects,
            o => o.Namespace() == "imperative" || o.Name() == "imperative");

        var map = Fixtures.Repository(("values-global.yaml", "global: {pattern: p}\nmain: {clusterGroupName: hub}\n"),
            ("values-hub.yaml", "clusterGroup:\n  name: hub\n  imperative:\n    jobs:\n      a: {playbook: a.yml}\n"));
        var e = Assert.Throws<ValuesException>(() => PatternValues.Read(map, null, Fixtures.Hub()));
        Assert.Contains("clusterGroup.imperative.jobs", e.Message);
        Assert.Contains("values-hub.yaml", e.Message);
    }

    [Fact]
    public void ManagedClusterGetsItsGroupsJobsThroughAManifestWork()
    {
        var repo = Fixtures.Repository(("values-global.yaml", "global: {pattern: p}\nmain: {clusterGroupName: hub}\n"),
            ("values-group-one.yaml", "clusterGroup:\n  name: group-one\n  imperative:\n    jobs: [{name: a, playbook: a.yml}]\n"));
        var spoke = Fixtures.Spoke("spoke1");
        var set = ClusterGroupGenerator.ManagedCluster(PatternValues.Read(repo, "group-one", spoke), Context(spoke, "spoke1"));
        var work = set.Objects.Single(o => o.Kind() == "ManifestWork" && o.Name() == "p-group-one-imperative");
        Assert.Equal("spoke1", work.Namespace());
        var manifests = work["spec"]!["workload"]!["manifests"]!.AsArray().Select(m => m!.AsObject()).ToList();
        Assert.Equal("Namespace", manifests[0].Kind());
        var values = YamlJson.Parse(manifests.Single(m => m.Name() == "helm-values-configmap-group-one")["data"]!["values.yaml"]!.GetValue<string>())!;
        Assert.Equal("spoke1", values["global"]!["localClusterName"]!.GetValue<string>());
    }
}
