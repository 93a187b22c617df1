using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Observability.Tests.Support;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Tests.Support;
using Mcg.Secrets.Vault;
using Xunit.Abstractions;

namespace Mcg.Observability.Tests;

/// <summary>/metrics of real hub, cluster and agent processes, checked with promtool and scraped by a real Prometheus.</summary>
[Collection(ObservedFleetCollection.Name)]
public sealed class FleetMetricsTests(ObservedFleet fx, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task HubMetricsNeedATokenAllowedToGetMetricsAndPassPromtool()
    {
        var metricsUrl = fx.HubUrl + "/metrics";
        Assert.Equal(401, (await fx.ScrapeAsync(metricsUrl, null)).Status);
        (await fx.Hub.RunAsync("-n mcg-monitoring create serviceaccount nobody")).Ok();
        var nobody = (await fx.Hub.RunAsync("-n mcg-monitoring create token nobody")).Ok().Out.Trim();
        Assert.Equal(403, (await fx.ScrapeAsync(metricsUrl, nobody)).Status);

        // The agent registered and the hub accepted it: the registration controller's queue has seen work.
        string body = "";
        await Eventually.TrueAsync(async () =>
        {
            var scrape = await fx.ScrapeAsync(metricsUrl, fx.ScrapeToken);
            Assert.Equal(200, scrape.Status);
            Assert.StartsWith("text/plain; version=0.0.4", scrape.ContentType);
            body = scrape.Body;
            return body.Contains("workqueue_adds_total{name=\"registration\"}") && body.Contains($"acm_managed_cluster_info{{managed_cluster_name=\"{ObservedFleet.Cluster}\"");
        }, "the hub's metrics show the registration queue and the cluster", Patience);
        Assert.Contains("apiserver_request_total{verb=\"LIST\"", body);
        Assert.Contains("apiserver_longrunning_requests{verb=\"WATCH\"", body);
        Assert.Contains("# TYPE apiserver_request_duration_seconds histogram", body);
        Assert.Contains("# TYPE workqueue_adds_total counter", body);
        Assert.Contains("# TYPE argocd_app_info gauge", body);
        Assert.Contains("# TYPE policy_governance_info gauge", body);
        await AssertPromtoolAcceptsAsync(body);

        // Paths naming nothing served do not become label values (no cardinality from scanners or typos).
        var admin = await File.ReadAllTextAsync(Path.Combine(fx.Fleet.Root, "hub", "api", "admin-token"));
        Assert.Equal(404, (await fx.ScrapeAsync(fx.HubUrl + "/apis/scan.example.com/v1/probe-7f3a", admin.Trim())).Status);
        Assert.Equal(404, (await fx.ScrapeAsync(fx.HubUrl + "/api/v1/namespaces/default/configmaps/x/nosuchsub-7f3a", admin.Trim())).Status);
        body = (await fx.ScrapeAsync(metricsUrl, fx.ScrapeToken)).Body;
        Assert.DoesNotContain("probe-7f3a", body);
        Assert.DoesNotContain("scan.example.com", body);
        Assert.DoesNotContain("nosuchsub-7f3a", body);
        Assert.Contains("apiserver_request_total{verb=\"LIST\",group=\"\",version=\"\",resource=\"\",subresource=\"\",code=\"404\"}", body);
        Assert.Contains("apiserver_request_total{verb=\"GET\",group=\"\",version=\"v1\",resource=\"configmaps\",subresource=\"\",code=\"404\"}", body);
    }

    [Fact]
    public async Task HubReportsTheSealStateOfItsSecretStoreAsVaultDoes()
    {
        var hubDir = Path.Combine(fx.Fleet.Root, "hub");
        var init = VaultInitFile.Load(Path.Combine(hubDir, "vault-init.json")) ?? throw new InvalidOperationException("the hub wrote no vault-init.json");
        var vaultUrl = System.Text.RegularExpressions.Regex.Match(fx.Fleet.Log, @"hub: vault: (https://\S+)").Groups[1].Value;
        using var vault = new VaultClient(new VaultClientOptions
        {
            Address = vaultUrl,
            CaPem = await File.ReadAllTextAsync(Path.Combine(hubDir, "vault-ca.crt")),
            Token = init.RootToken,
        });
        await EventuallyScrapedAsync("vault_core_unsealed 1");
        await vault.SealAsync();
        try
        {
            await EventuallyScrapedAsync("vault_core_unsealed 0");
        }
        finally
        {
            foreach (var key in init.UnsealKeysHex.Take(init.Threshold))
            {
                await vault.UnsealAsync(key);
            }
        }
        await EventuallyScrapedAsync("vault_core_unsealed 1");
    }

    [Fact]
    public async Task HubExportsItsSecretStoresRequestLatencyByMountWithoutSecretPaths()
    {
        var hubDir = Path.Combine(fx.Fleet.Root, "hub");
        var init = VaultInitFile.Load(Path.Combine(hubDir, "vault-init.json")) ?? throw new InvalidOperationException("the hub wrote no vault-init.json");
        using var vault = new VaultClient(new VaultClientOptions
        {
            Address = System.Text.RegularExpressions.Regex.Match(fx.Fleet.Log, @"hub: vault: (https://\S+)").Groups[1].Value,
            CaPem = await File.ReadAllTextAsync(Path.Combine(hubDir, "vault-ca.crt")),
            Token = init.RootToken,
        });
        await Eventually.TrueAsync(async () => !(await vault.SealStatusAsync()).Sealed, "the hub's Vault is unsealed", Patience);
        await vault.KvWriteAsync("secret", "latency-probe-7f3a/db-password", new JsonObject { ["password"] = "s3cr3t-7f3a" });
        Assert.NotNull(await vault.KvReadAsync("secret", "latency-probe-7f3a/db-password"));
        Assert.Null(await vault.KvReadAsync("secret", "latency-probe-7f3a/missing"));

        string body = "";
        await Eventually.TrueAsync(async () =>
        {
            body = (await fx.ScrapeAsync(fx.HubUrl + "/metrics", fx.ScrapeToken)).Body;
            return body.Contains("""mcg_vault_requests_total{method="GET",route="secret/",code="404"}""");
        }, "the hub's metrics count the Vault requests", Patience);
        Assert.Contains("""mcg_vault_requests_total{method="GET",route="secret/",code="200"}""", body);
        Assert.Contains("""mcg_vault_request_duration_seconds_bucket{method="POST",route="secret/",le="+Inf"}""", body);
        Assert.Contains("""mcg_vault_request_duration_seconds_count{method="GET",route="sys/"}""", body);
        Assert.DoesNotContain("latency-probe-7f3a", body);
        Assert.DoesNotContain("db-password", body);
        Assert.DoesNotContain("s3cr3t", body);
        await AssertPromtoolAcceptsAsync(body);
    }

    [Fact]
    public async Task AgentReportsAFailingExternalSecretAsEsoDoes()
    {
        // A store that does not exist: the agent's ExternalSecret controller reports Ready=False, as ESO would.
        await Eventually.TrueAsync(async () =>
            (await fx.ClusterKubectl.RunAsync("apply -f -", """
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata:
                  name: orphan
                  namespace: default
                spec:
                  refreshInterval: 10s
                  secretStoreRef:
                    kind: SecretStore
                    name: no-such-store
                  target:
                    name: orphan
                  data:
                    - secretKey: password
                      remoteRef:
                        key: nowhere
                        property: password
                """)).ExitCode == 0, "the ExternalSecret CRD is served (the agent installs it when it starts)", Patience);
        await Eventually.TrueAsync(async () => (await fx.ScrapeAsync(fx.AgentMetricsUrl, null)).Body.Contains(
            """externalsecret_status_condition{name="orphan",namespace="default",condition="Ready",status="False"} 1"""),
            "the agent reports the ExternalSecret not Ready", Patience);
        var body = (await fx.ScrapeAsync(fx.AgentMetricsUrl, null)).Body;
        Assert.Contains("""externalsecret_status_condition{name="orphan",namespace="default",condition="Ready",status="True"} 0""", body);
        Assert.Matches("""externalsecret_sync_calls_error_total{name="orphan",namespace="default"} [1-9]""", body);
        Assert.Matches("""externalsecret_sync_calls_total{name="orphan",namespace="default"} [1-9]""", body);
    }

    [Fact]
    public async Task AgentReportsTheStorageClusterPhaseAndItsChange()
    {
        // The Portworx StorageCluster CRD (schema left open), as a cluster running Portworx has it.
        (await fx.ClusterKubectl.RunAsync("apply -f -", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: storageclusters.core.libopenstorage.org
            spec:
              group: core.libopenstorage.org
              names: {kind: StorageCluster, listKind: StorageClusterList, plural: storageclusters, singular: storagecluster, shortNames: [stc]}
              scope: Namespaced
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                schema:
                  openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """)).Ok();
        await fx.ClusterKubectl.RunAsync("create namespace portworx");
        await Eventually.TrueAsync(async () => (await fx.ClusterKubectl.RunAsync("apply -f -", """
            apiVersion: core.libopenstorage.org/v1
            kind: StorageCluster
            metadata: {name: px-metrics, namespace: portworx}
            spec: {image: portworx/oci-monitor:3.1.0}
            """)).ExitCode == 0, "the StorageCluster CRD is served", Patience);
        (await fx.ClusterKubectl.RunAsync("""-n portworx patch storagecluster px-metrics --subresource=status --type merge -p '{"status":{"phase":"Initializing"}}'""")).Ok();
        await EventuallyAgentShowsAsync("""mcg_storagecluster_status_phase{namespace="portworx",storagecluster="px-metrics",phase="Initializing"} 1""");
        Assert.Contains("""mcg_storagecluster_status_phase{namespace="portworx",storagecluster="px-metrics",phase="Running"} 0""",
            (await fx.ScrapeAsync(fx.AgentMetricsUrl, null)).Body);

        (await fx.ClusterKubectl.RunAsync("""-n portworx patch storagecluster px-metrics --subresource=status --type merge -p '{"status":{"phase":"Running"}}'""")).Ok();
        await EventuallyAgentShowsAsync("""mcg_storagecluster_status_phase{namespace="portworx",storagecluster="px-metrics",phase="Running"} 1""");
    }

    private async Task EventuallyAgentShowsAsync(string line) =>
        await Eventually.TrueAsync(async () => (await fx.ScrapeAsync(fx.AgentMetricsUrl, null)).Body.Split('\n').Contains(line),
            $"the agent's metrics show {line}", Patience);

    private async Task EventuallyScrapedAsync(string line) =>
        await Eventually.TrueAsync(async () => (await fx.ScrapeAsync(fx.HubUrl + "/metrics", fx.ScrapeToken)).Body.Split('\n').Contains(line),
            $"the hub's metrics show {line}", Patience);

    [Fact]
    public async Task AgentMetricsShowItsWorkQueueAndTheClustersClaimsAndFollowChanges()
    {
        // Work for the agent: its work-agent queue takes the ManifestWork.
        (await fx.Hub.RunAsync("apply -f -", $$"""
            apiVersion: work.open-cluster-management.io/v1
            kind: ManifestWork
            metadata:
              name: metrics-probe
              namespace: {{ObservedFleet.Cluster}}
            spec:
              workload:
                manifests:
                  - apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: metrics-probe
                      namespace: default
                    data:
                      applied: "yes"
            """)).Ok();
        (await fx.ClusterKubectl.RunAsync("apply -f -", """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: data-0
              namespace: default
            spec:
              storageClassName: metrics-test-manual
              accessModes: [ReadWriteOnce]
              resources:
                requests:
                  storage: 1Gi
            """)).Ok();
        (await fx.ClusterKubectl.RunAsync("""-n default patch pvc data-0 --subresource=status --type merge -p '{"status":{"phase":"Pending"}}'""")).Ok();
        string body = "";
        await Eventually.TrueAsync(async () =>
        {
            body = (await fx.ScrapeAsync(fx.AgentMetricsUrl, null)).Body;
            return body.Contains("""kube_persistentvolumeclaim_status_phase{namespace="default",persistentvolumeclaim="data-0",phase="Pending"} 1""")
                && body.Contains("workqueue_adds_total{name=\"work-agent\"}");
        }, "the agent reports the Pending claim and its work queue", Patience);
        Assert.Contains("""kube_persistentvolumeclaim_status_phase{namespace="default",persistentvolumeclaim="data-0",phase="Bound"} 0""", body);
        Assert.Contains("# TYPE externalsecret_status_condition gauge", body);
        await AssertPromtoolAcceptsAsync(body);

        // The claim binds: the series follow the object.
        (await fx.ClusterKubectl.RunAsync("""-n default patch pvc data-0 --subresource=status --type merge -p '{"status":{"phase":"Bound"}}'""")).Ok();
        await Eventually.TrueAsync(async () => (await fx.ScrapeAsync(fx.AgentMetricsUrl, null)).Body
            .Contains("""kube_persistentvolumeclaim_status_phase{namespace="default",persistentvolumeclaim="data-0",phase="Bound"} 1"""),
            "the agent reports the claim Bound", Patience);

        // The virtual cluster's own API server: its watches (the agent's) and request counts.
        var cluster = await fx.ScrapeAsync(fx.ClusterUrl + "/metrics", fx.ClusterAdminToken);
        Assert.Equal(200, cluster.Status);
        Assert.Contains("apiserver_longrunning_requests{verb=\"WATCH\"", cluster.Body);
        Assert.Contains("apiserver_request_total{verb=\"PATCH\",group=\"\",version=\"v1\",resource=\"persistentvolumeclaims\",subresource=\"status\",code=\"200\"}", cluster.Body);
        await AssertPromtoolAcceptsAsync(cluster.Body);
    }

    [Fact]
    public async Task PrometheusScrapesEveryProcessAndSeesTheApplicationSyncedAndTheClusterAvailable()
    {
        using var repo = await fx.ApplyHubApplicationAsync("metrics-demo", "greeting");

        foreach (var job in new[] { "mcg-hub", "mcg-cluster", "mcg-agent" })
        {
            await EventuallyQueryAsync($"up{{job=\"{job}\"}} == 1", $"Prometheus scrapes {job}");
        }
        var app = await EventuallyQueryAsync("""argocd_app_info{name="metrics-demo",namespace="argocd",sync_status="Synced",health_status="Healthy"} == 1""",
            "argocd_app_info shows the app Synced and Healthy");
        var labels = app[0]!["metric"]!;
        Assert.Equal(repo.Url, labels["repo"]?.GetValue<string>());
        Assert.Equal("https://kubernetes.default.svc", labels["dest_server"]?.GetValue<string>());
        Assert.Equal("true", labels["autosync_enabled"]?.GetValue<string>());
        Assert.Equal("mcg-hub", labels["job"]?.GetValue<string>());
        await EventuallyQueryAsync("""argocd_app_sync_total{name="metrics-demo",phase="Succeeded"} >= 1""", "the sync is counted");
        await EventuallyQueryAsync($"acm_managed_cluster_info{{managed_cluster_name=\"{ObservedFleet.Cluster}\",available=\"True\",cloud=\"AWS\"}} == 1",
            "the cluster is available");
        await EventuallyQueryAsync($"mcg_managedcluster_lease_age_seconds{{managed_cluster_name=\"{ObservedFleet.Cluster}\"}} < 30", "the lease is fresh");

        // The rule file loads in a real Prometheus, every group of it.
        var groups = (await fx.Prometheus.GetJsonAsync("/api/v1/rules"))["data"]!["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["mcg-applications", "mcg-fleet", "mcg-processes", "mcg-secrets", "mcg-storage"], groups.Order());
    }

    [Fact]
    public async Task PrometheusSeesPlacementDecisionsAndPolicyCompliancePerCluster()
    {
        (await fx.Hub.RunAsync("create namespace governed")).Ok();
        (await fx.Hub.RunAsync("apply -f -", """
            apiVersion: cluster.open-cluster-management.io/v1beta2
            kind: ManagedClusterSetBinding
            metadata: {name: global, namespace: governed}
            spec: {clusterSet: global}
            ---
            apiVersion: cluster.open-cluster-management.io/v1beta1
            kind: Placement
            metadata: {name: aws, namespace: governed}
            spec:
              predicates:
              - requiredClusterSelector:
                  labelSelector: {matchLabels: {cloud: AWS}}
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: Policy
            metadata: {name: audit-ns, namespace: governed}
            spec:
              remediationAction: inform
              disabled: false
              policy-templates:
              - objectDefinition:
                  apiVersion: policy.open-cluster-management.io/v1
                  kind: ConfigurationPolicy
                  metadata: {name: audit-ns}
                  spec:
                    remediationAction: inform
                    object-templates:
                    - complianceType: musthave
                      objectDefinition: {apiVersion: v1, kind: Namespace, metadata: {name: audit-metrics}}
            ---
            apiVersion: policy.open-cluster-management.io/v1
            kind: PlacementBinding
            metadata: {name: aws-policies, namespace: governed}
            placementRef: {apiGroup: cluster.open-cluster-management.io, kind: Placement, name: aws}
            subjects:
            - {apiGroup: policy.open-cluster-management.io, kind: Policy, name: audit-ns}
            """)).Ok();

        await EventuallyQueryAsync("""mcg_placement_decisions{namespace="governed",placement="aws"} == 1""", "the placement selects the AWS cluster");
        await EventuallyQueryAsync($"policy_governance_info{{type=\"propagated\",policy=\"audit-ns\",policy_namespace=\"governed\",cluster_namespace=\"{ObservedFleet.Cluster}\"}} == 1",
            "the policy is NonCompliant on the cluster");
        await EventuallyQueryAsync("""policy_governance_info{type="root",policy="audit-ns",policy_namespace="governed"} == 1""", "the root policy is NonCompliant");

        // Remediate: the namespace now exists on the cluster, and compliance follows.
        (await fx.ClusterKubectl.RunAsync("create namespace audit-metrics")).Ok();
        await EventuallyQueryAsync($"policy_governance_info{{type=\"propagated\",policy=\"audit-ns\",cluster_namespace=\"{ObservedFleet.Cluster}\"}} == 0",
            "the policy is Compliant on the cluster");
    }

    [Fact]
    public async Task EveryDashboardQueryAndAlertRuleEvaluatesInPrometheus()
    {
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(RepoFiles.Path("deploy", "grafana", "mcg-dashboard.json")))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        Assert.NotEmpty(queries);
        foreach (var query in queries)
        {
            // Grafana's variables as Grafana would expand them for "All" and a 1 s scrape interval.
            await fx.Prometheus.QueryAsync(query.Replace("$job", ".*").Replace("$__rate_interval", "1m"));
        }
        await Eventually.TrueAsync(async () =>
        {
            var rules = (await fx.Prometheus.GetJsonAsync("/api/v1/rules"))["data"]!["groups"]!.AsArray()
                .SelectMany(g => g!["rules"]!.AsArray()).ToList();
            Assert.DoesNotContain(rules, r => r!["health"]?.GetValue<string>() == "err");
            return rules.Count == 15 && rules.All(r => r!["health"]?.GetValue<string>() == "ok");
        }, "every alert rule evaluated without error", Patience);
    }

    private async Task<JsonArray> EventuallyQueryAsync(string promql, string what)
    {
        var result = new JsonArray();
        try
        {
            await Eventually.TrueAsync(async () => (result = await fx.Prometheus.QueryAsync(promql)).Count > 0, what, Patience);
        }
        catch (Exception)
        {
            output.WriteLine(fx.Fleet.Log);
            output.WriteLine(fx.Prometheus.Log);
            throw;
        }
        return result;
    }

    private static async Task AssertPromtoolAcceptsAsync(string exposition)
    {
        var check = await Tools.RunAsync("promtool", ["check", "metrics"], stdin: exposition);
        Assert.True(check.ExitCode == 0 && check.Stdout.Trim().Length == 0 && check.Stderr.Trim().Length == 0,
            $"promtool check metrics ({check.ExitCode}): {check.Stdout}{check.Stderr}");
    }
}
