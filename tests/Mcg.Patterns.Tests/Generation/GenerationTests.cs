using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;
using Mcg.Patterns.Tests.Support;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Tests.Generation;

/// <summary>
/// Generated objects checked against what the upstream charts render for the same values (expected documents written
/// from validatedpatterns/clustergroup-chart templates/plumbing/applications.yaml, _helpers.tpl, core/namespaces.yaml,
/// core/subscriptions.yaml, core/operatorgroup.yaml, plumbing/argoProjects.yaml and acm-chart
/// templates/policies/application-policies.yaml, with the differences documented on <see cref="ApplicationGenerator"/>).
/// </summary>
public class GenerationTests
{
    private const string Repo = "https://github.com/example/multicloud-gitops.git";

    private static GenerationContext Context(ClusterFacts facts, string? root = null) => new(Repo, "main", "argocd", facts, root);

    private static JsonObject Find(GeneratedSet set, string kind, string name) =>
        set.Objects.Single(o => o.Kind() == kind && o.Name() == name);

    private static void AssertYaml(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(YamlJson.Parse(expected), actual), $"expected:\n{expected}\nactual:\n{YamlJson.ToYaml(actual)}");

    private static readonly string ParametersAwsHub = """
          - {name: global.repoURL, value: "https://github.com/example/multicloud-gitops.git"}
          - {name: global.originURL, value: ""}
          - {name: global.targetRevision, value: main}
          - {name: global.namespace, value: $ARGOCD_APP_NAMESPACE}
          - {name: global.pattern, value: multicloud-gitops}
          - {name: global.clusterDomain, value: hub.example.com}
          - {name: global.localClusterName, value: local-cluster}
          - {name: global.clusterVersion, value: "4.16"}
          - {name: global.clusterPlatform, value: AWS}
          - {name: global.hubClusterDomain, value: apps.hub.example.com}
          - {name: global.multiSourceSupport, value: "true"}
          - {name: global.multiSourceRepoUrl, value: "https://charts.validatedpatterns.io"}
          - {name: global.multiSourceTargetRevision, value: "0.9.*"}
          - {name: global.localClusterDomain, value: apps.hub.example.com}
          - {name: global.privateRepo, value: "false"}
          - {name: global.experimentalCapabilities, value: ""}
    """;

    [Fact]
    public void PathApplicationAsTheChartRendersIt()
    {
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.MulticloudGitops, null, Fixtures.Hub()), Context(Fixtures.Hub()));
        AssertYaml($$"""
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: hello-world
              namespace: argocd
              labels: {validatedpatterns.io/pattern: multicloud-gitops}
            spec:
              destination: {name: in-cluster, namespace: hello-world}
              project: hello-world
              source:
                repoURL: https://github.com/example/multicloud-gitops.git
                targetRevision: main
                path: charts/all/hello-world
                helm:
                  ignoreMissingValueFiles: true
                  values: "extraParametersNested:\n"
                  valueFiles:
                    - /values-global.yaml
                    - /values-hub.yaml
                    - /values-AWS.yaml
                    - /values-AWS-4.16.yaml
                    - /values-AWS-hub.yaml
                    - /values-4.16-hub.yaml
                    - /values-local-cluster.yaml
                    - /overrides/values-AWS.yaml
                    - /overrides/values-4.16-hub.yaml
                  parameters:
            {{ParametersAwsHub}}
              syncPolicy:
                automated: {}
                retry: {limit: 20}
            """, Find(set, "Application", "hello-world"));
    }

    [Fact]
    public void ChartApplicationIsMultiSourceAndReportedUnsupported()
    {
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.MulticloudGitops, null, Fixtures.Hub()), Context(Fixtures.Hub()));
        var acm = Find(set, "Application", "acm");
        AssertYaml($$"""
            - {repoURL: "https://github.com/example/multicloud-gitops.git", targetRevision: main, ref: patternref}
            - repoURL: https://charts.validatedpatterns.io
              chart: acm
              targetRevision: 0.2.*
              helm:
                ignoreMissingValueFiles: true
                values: "extraParametersNested:\n"
                valueFiles:
                  - $patternref/values-global.yaml
                  - $patternref/values-hub.yaml
                  - $patternref/values-AWS.yaml
                  - $patternref/values-AWS-4.16.yaml
                  - $patternref/values-AWS-hub.yaml
                  - $patternref/values-4.16-hub.yaml
                  - $patternref/values-local-cluster.yaml
                  - /overrides/values-AWS.yaml
                  - /overrides/values-4.16-hub.yaml
                parameters:
            {{ParametersAwsHub}}
            """, acm["spec"]!["sources"]!);
        Assert.Null(acm["spec"]!["source"]);
        Assert.Equal(["acm", "vault", "openshift-external-secrets"], set.Problems.Select(p => p.Application));
        Assert.Equal("ComparisonError: Helm charts are not supported yet (chart \"acm\" version 0.2.*)", set.Problems[0].Message);
        Assert.Equal(set.Problems[0].Message, acm.Annotations()[PatternLabels.UnsupportedAnnotation]);
    }

    [Fact]
    public void LegacyApplicationKeepsIgnoreDifferencesAndNamespacesGetTheManagedByLabel()
    {
        var facts = Fixtures.Hub();
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.Portworx, null, facts), Context(facts));
        var acm = Find(set, "Application", "acm");
        AssertYaml("""
            - group: internal.open-cluster-management.io
              kind: ManagedClusterInfo
              jsonPointers: [/spec/loggingCA]
            """, acm["spec"]!["ignoreDifferences"]!);
        Assert.Equal("common/acm", acm["spec"]!["source"]!["path"]!.GetValue<string>());
        Assert.Equal("hub", acm["spec"]!["project"]!.GetValue<string>());
        AssertYaml("""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: portworx
              labels: {argocd.argoproj.io/managed-by: multicloud-gitops-hub}
            """, Find(set, "Namespace", "portworx"));
        AssertYaml("""
            apiVersion: operators.coreos.com/v1alpha1
            kind: Subscription
            metadata: {name: portworx-certified, namespace: portworx}
            spec:
              name: portworx-certified
              source: certified-operators
              sourceNamespace: openshift-marketplace
              channel: stable
              installPlanApproval: Automatic
            """, Find(set, "Subscription", "portworx-certified"));
        AssertYaml("""
            apiVersion: operators.coreos.com/v1
            kind: OperatorGroup
            metadata: {name: portworx-operator-group, namespace: portworx}
            spec: {targetNamespaces: [portworx]}
            """, Find(set, "OperatorGroup", "portworx-operator-group"));
        AssertYaml("""
            apiVersion: argoproj.io/v1alpha1
            kind: AppProject
            metadata: {name: portworx-demo, namespace: argocd}
            spec:
              description: Pattern portworx-demo
              destinations: [{namespace: '*', server: '*'}]
              clusterResourceWhitelist: [{group: '*', kind: '*'}]
              namespaceResourceWhitelist: [{group: '*', kind: '*'}]
              sourceRepos: ['*']
            """, Find(set, "AppProject", "portworx-demo"));
    }

    [Fact]
    public void OperatorGroupWithEmptyTargetsCoversAllNamespaces()
    {
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.MulticloudGitops, null, Fixtures.Hub()), Context(Fixtures.Hub()));
        AssertYaml("""
            apiVersion: operators.coreos.com/v1
            kind: OperatorGroup
            metadata: {name: external-secrets-operator-operator-group, namespace: external-secrets-operator}
            """, Find(set, "OperatorGroup", "external-secrets-operator-operator-group"));
    }

    [Fact]
    public void PlacementFollowsTheAcmChart()
    {
        var set = ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.MulticloudGitops, null, Fixtures.Hub()), Context(Fixtures.Hub()));
        AssertYaml("""
            apiVersion: cluster.open-cluster-management.io/v1beta1
            kind: Placement
            metadata: {name: group-one-placement, namespace: open-cluster-management}
            spec:
              predicates:
                - requiredClusterSelector:
                    labelSelector:
                      matchExpressions: [{key: local-cluster, operator: NotIn, values: ['true']}]
                      matchLabels: {clusterGroup: group-one}
              tolerations:
                - {key: cluster.open-cluster-management.io/unreachable, operator: Exists}
                - {key: cluster.open-cluster-management.io/unavailable, operator: Exists}
            """, Find(set, "Placement", "group-one-placement"));
        Assert.Single(set.Objects, o => o.Kind() == "ManagedClusterSetBinding");
        // A spoke's own clustergroup (not the hub: domains differ) emits no placements.
        var spoke = Fixtures.Spoke("spoke1");
        Assert.DoesNotContain(ClusterGroupGenerator.Hub(PatternValues.Read(Fixtures.MulticloudGitops, null, spoke), Context(spoke)).Objects, o => o.Kind() == "Placement");
    }

    [Fact]
    public void DefaultPlacementLabelIsTheGroupName()
    {
        var group = new ManagedClusterGroupEntry("g", "east", null, [], null, [], null, null, "x");
        var selector = PlacementGenerator.Placement(group)["spec"]!["predicates"]![0]!["requiredClusterSelector"]!["labelSelector"]!;
        AssertYaml("{clusterGroup: east}", selector["matchLabels"]!);
    }

    [Theory]
    [InlineData("Manual", null, null)]
    [InlineData("manual", "Automatic", null)]
    [InlineData("Automatic", "Manual", "{automated: {}, retry: {limit: 20}}")]
    [InlineData(null, null, "{automated: {}, retry: {limit: 20}}")]
    [InlineData(null, "Manual", null)]
    [InlineData("{automated: {prune: true}}", null, "{automated: {prune: true}}")]
    public void SyncPolicies(string? entry, string? global, string? expected)
    {
        var globals = PatternValues.ReadGlobal(Fixtures.MulticloudGitops) with { SyncPolicy = global is null ? null : JsonValue.Create(global) };
        var policy = ApplicationGenerator.SyncPolicy(entry is null ? null : YamlJson.Parse(entry), globals);
        if (expected is null)
        {
            Assert.Null(policy);
        }
        else
        {
            AssertYaml(expected, policy!);
        }
    }

    [Fact]
    public void OverridesExtraValueFilesAndManagedClusterCopies()
    {
        var root = Fixtures.Repository(
            ("values-global.yaml", "global: {pattern: p, options: {syncPolicy: Manual}}\nmain: {clusterGroupName: hub}\n"),
            ("values-group-one.yaml", """
                clusterGroup:
                  name: group-one
                  namespaces: [web]
                  subscriptions: {s: {name: op, namespace: web, channel: fast}}
                  argoProjects: [web]
                  sharedValueFiles: ['/overrides/{{ $.Values.global.localClusterName }}.yaml']
                  applications:
                    web:
                      name: web
                      namespace: web
                      project: web
                      path: charts/web
                      extraValueFiles: [/extra.yaml]
                      overrides:
                        - {name: replicas, value: 3}
                        - {name: tag, value: "1.0", forceString: true}
                    kust: {name: kust, namespace: web, project: web, path: kust}
                    plain: {name: plain, namespace: web, project: web, path: plain}
                """),
            ("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n"),
            ("kust/kustomization.yaml", "resources: []\n"),
            ("plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"));
        var facts = Fixtures.Spoke("spoke1");
        var set = ClusterGroupGenerator.ManagedCluster(PatternValues.Read(root, "group-one", facts), Context(facts, root) with { ManagedCluster = "spoke1" });

        var web = Find(set, "Application", "spoke1-web");
        Assert.Equal("spoke1", web["spec"]!["destination"]!["name"]!.GetValue<string>());
        Assert.Null(web["spec"]!["syncPolicy"]);
        Assert.Equal(("group-one", "spoke1"), (web.Labels()[PatternLabels.ClusterGroup], web.Labels()[PatternLabels.Cluster]));
        var helm = web["spec"]!["source"]!["helm"]!;
        Assert.Equal(["/overrides/spoke1.yaml", "/extra.yaml"], helm["valueFiles"]!.AsArray().Select(f => f!.GetValue<string>()).TakeLast(2));
        AssertYaml("""
            - {name: replicas, value: "3"}
            - {name: tag, value: "1.0", forceString: true}
            """, new JsonArray(helm["parameters"]!.AsArray().TakeLast(2).Select(p => p!.DeepClone()).ToArray()));
        Assert.Equal("ComparisonError: Helm charts are not supported yet (path charts/web holds Chart.yaml)", Assert.Single(set.Problems).Message);

        var kust = Find(set, "Application", "spoke1-kust")["spec"]!["source"]!;
        Assert.Null(kust["helm"]);
        var patch = kust["kustomize"]!["patches"]![0]!;
        AssertYaml("{kind: ConfigMap, labelSelector: validatedpatterns.io/global-values=true}", patch["target"]!);
        var ops = YamlJson.Parse(patch["patch"]!.GetValue<string>())!.AsArray();
        Assert.Contains(ops, o => o!["path"]!.GetValue<string>() == "/data/global.localClusterName" && o["value"]!.GetValue<string>() == "spoke1");
        Assert.Contains(ops, o => o!["path"]!.GetValue<string>() == "/data/global.localClusterDomain" && o["value"]!.GetValue<string>() == "apps.spoke1.example.com");
        var plain = Find(set, "Application", "spoke1-plain")["spec"]!["source"]!.AsObject();
        Assert.False(plain.ContainsKey("helm") || plain.ContainsKey("kustomize"));

        var namespaces = Find(set, "ManifestWork", "p-group-one-namespaces");
        Assert.Equal("spoke1", namespaces.Namespace());
        AssertYaml("[{apiVersion: v1, kind: Namespace, metadata: {name: web, labels: {argocd.argoproj.io/managed-by: p-group-one}}}]", namespaces["spec"]!["workload"]!["manifests"]!);
        var operators = Find(set, "ManifestWork", "p-group-one-operators")["spec"]!["workload"]!["manifests"]!.AsArray();
        Assert.Equal(["OperatorGroup", "Subscription"], operators.Select(m => m!["kind"]!.GetValue<string>()));
        Assert.Equal("argocd", Find(set, "AppProject", "web").Namespace());
    }
}
