using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Http;
using Mcg.Cli.Output;
using Mcg.Fleet;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Registration;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Cli.Status;

/// <summary>
/// <c>mcg status</c>: the whole fleet on one screen — clusters, applications, policies from the hub, and from each
/// cluster whose kubeconfig is known (an <c>mcg up</c> data directory) its ExternalSecrets and storage, and the
/// fleet's metrics endpoints when known.
/// </summary>
public sealed class FleetStatusReport(IKubeClient hub, IReadOnlyDictionary<string, string> clusterKubeconfigs, TextWriter output,
    IReadOnlyList<Up.MetricsEndpoint>? metrics = null)
{
    private static readonly ResourceRef ExternalSecrets = new("external-secrets.io", "v1", "externalsecrets", "ExternalSecret", true);
    private static readonly ResourceRef StorageClusters = new("core.libopenstorage.org", "v1", "storageclusters", "StorageCluster", true);
    private static readonly ResourceRef Claims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true);
    private static readonly ResourceRef Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);

    public async Task WriteAsync(DateTimeOffset now, CancellationToken ct)
    {
        await ClustersAsync(now, ct);
        await ApplicationsAsync(ct);
        await PoliciesAsync(ct);
        if (clusterKubeconfigs.Count > 0)
        {
            await PerClusterAsync(now, ct);
        }
        if (metrics is { Count: > 0 })
        {
            var table = new TableWriter("JOB", "INSTANCE", "URL", "AUTH");
            foreach (var m in metrics)
            {
                table.Add(m.Job, m.Instance, m.Url, m.Auth);
            }
            Section("Metrics", table);
        }
    }

    private async Task ClustersAsync(DateTimeOffset now, CancellationToken ct)
    {
        var table = new TableWriter("CLUSTER", "CLOUD", "AVAILABLE", "LEASE AGE", "LABELS");
        // One list for every cluster's lease (each lives in its cluster's namespace), not one read per cluster.
        var leases = (await hub.ListAsync(Leases, null, new ListOptions { FieldSelector = $"metadata.name={LeaseController.LeaseName}" }, ct)).Items
            .ToDictionary(l => l.Namespace() ?? "", StringComparer.Ordinal);
        foreach (var c in (await hub.ListAsync(OcmCrds.ManagedClusters, null, null, ct)).Items.OrderBy(c => c.Name(), StringComparer.Ordinal))
        {
            var lease = leases.GetValueOrDefault(c.Name() ?? "");
            var labels = c.Metadata()["labels"] as JsonObject ?? [];
            table.Add(c.Name(), labels["cloud"]?.ToString(), Conditions.Get(c["status"] as JsonObject, "ManagedClusterConditionAvailable") ?? "Unknown",
                TableConverter.Age((lease?["spec"] as JsonObject)?.GetString("renewTime"), now),
                string.Join(",", labels.Where(l => l.Key is not "cloud").Select(l => $"{l.Key}={l.Value}")));
        }
        Section("Clusters", table);
    }

    private async Task ApplicationsAsync(CancellationToken ct)
    {
        var table = new TableWriter("NAMESPACE", "APPLICATION", "DESTINATION", "SYNC", "HEALTH", "REVISION");
        foreach (var a in (await hub.ListAsync(ApplicationController.Applications, null, null, ct)).Items
            .OrderBy(a => a.Namespace(), StringComparer.Ordinal).ThenBy(a => a.Name(), StringComparer.Ordinal))
        {
            var state = Up.AppState.From(a);
            var revision = a["status"]?["sync"]?["revision"]?.ToString() ?? "";
            table.Add(state.Namespace, state.Name, state.Destination, state.Sync, state.Health, revision.Length > 7 ? revision[..7] : revision);
        }
        Section("Applications", table);
    }

    private async Task PoliciesAsync(CancellationToken ct)
    {
        var table = new TableWriter("NAMESPACE", "POLICY", "REMEDIATION", "COMPLIANCE", "CLUSTERS");
        foreach (var p in (await hub.ListAsync(OcmCrds.Policies, null, null, ct)).Items
            .Where(p => p.Metadata()["labels"]?["policy.open-cluster-management.io/root-policy"] is null)
            .OrderBy(p => p.Namespace(), StringComparer.Ordinal).ThenBy(p => p.Name(), StringComparer.Ordinal))
        {
            var perCluster = (p["status"]?["status"] as JsonArray)?.OfType<JsonObject>()
                .Select(s => $"{s.GetString("clustername")}={s.GetString("compliant")}") ?? [];
            table.Add(p.Namespace(), p.Name(), (p["spec"] as JsonObject)?.GetString("remediationAction"), (p["status"] as JsonObject)?.GetString("compliant"),
                string.Join(",", perCluster));
        }
        Section("Policies", table);
    }

    private async Task PerClusterAsync(DateTimeOffset now, CancellationToken ct)
    {
        var secrets = new TableWriter("CLUSTER", "NAMESPACE", "EXTERNALSECRET", "READY", "REASON", "REFRESHED");
        var storage = new TableWriter("CLUSTER", "STORAGECLUSTER", "PHASE", "PVCS BOUND", "PVCS PENDING");
        foreach (var (cluster, kubeconfig) in clusterKubeconfigs.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            try
            {
                foreach (var es in await ListOptionalAsync(client, ExternalSecrets, ct))
                {
                    var ready = (es["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Ready");
                    secrets.Add(cluster, es.Namespace(), es.Name(), ready?.GetString("status") ?? "Unknown", ready?.GetString("reason"),
                        TableConverter.Age((es["status"] as JsonObject)?.GetString("refreshTime"), now));
                }
                var claims = (await client.ListAsync(Claims, null, null, ct)).Items;
                var bound = claims.Count(c => (c["status"] as JsonObject)?.GetString("phase") == "Bound");
                var storageClusters = await ListOptionalAsync(client, StorageClusters, ct);
                foreach (var sc in storageClusters.DefaultIfEmpty())
                {
                    storage.Add(cluster, sc is null ? "-" : $"{sc.Namespace()}/{sc.Name()}", (sc?["status"] as JsonObject)?.GetString("phase") ?? "-",
                        bound.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        (claims.Count - bound).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (HttpRequestException e)
            {
                storage.Add(cluster, "unreachable", e.Message, "", "");
            }
        }
        Section("External secrets", secrets);
        Section("Storage", storage);
    }

    /// <summary>Objects of a kind the cluster may not serve yet (its CRD not installed): none rather than an error.</summary>
    private static async Task<IReadOnlyList<JsonObject>> ListOptionalAsync(IKubeClient client, ResourceRef resource, CancellationToken ct)
    {
        try
        {
            return (await client.ListAsync(resource, null, null, ct)).Items;
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            return [];
        }
    }

    private void Section(string title, TableWriter table)
    {
        output.WriteLine($"== {title}");
        table.Write(output);
        output.WriteLine();
    }
}
