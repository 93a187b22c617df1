using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Fleet;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Delivery;
using Mcg.Fleet.Registration;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.WebConsole.Fleet;

/// <summary>
/// The fleet as one user may see it, read from the hub API with their client: clusters (and their leases),
/// Applications, Policies, and the ManifestWorks' fed-back status of the ExternalSecrets and storage the
/// applications deliver. Kinds the hub does not serve, or the user may not list, are shown as empty.
/// </summary>
public sealed class FleetView
{
    public const string SecretKind = "ExternalSecret";
    public static readonly IReadOnlySet<string> StorageKinds = new HashSet<string>(StringComparer.Ordinal) { "StorageCluster", "PersistentVolumeClaim" };
    private const string RootPolicyLabel = "policy.open-cluster-management.io/root-policy";
    private static readonly ResourceRef Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);

    public required IReadOnlyList<ClusterRow> Clusters { get; init; }
    public required IReadOnlyList<AppRow> Applications { get; init; }
    public required IReadOnlyList<PolicyRow> Policies { get; init; }
    public required IReadOnlyList<ClusterResourceRow> ExternalSecrets { get; init; }
    public required IReadOnlyList<ClusterResourceRow> Storage { get; init; }

    public static async Task<FleetView> LoadAsync(IKubeClient client, CancellationToken ct)
    {
        var clusters = ListAsync(client, OcmCrds.ManagedClusters, null, ct);
        var leases = ListAsync(client, Leases, new ListOptions { FieldSelector = $"metadata.name={LeaseController.LeaseName}" }, ct);
        var apps = ListAsync(client, ApplicationController.Applications, null, ct);
        var policies = ListAsync(client, OcmCrds.Policies, null, ct);
        var works = ListAsync(client, OcmCrds.ManifestWorks, new ListOptions { LabelSelector = $"{ManifestWorkDelivery.ManagedByLabel}={ManifestWorkDelivery.ManagedByValue}" }, ct);
        await Task.WhenAll(clusters, leases, apps, policies, works);
        var appRows = (await apps).Select(ToApp).OrderBy(a => a.Namespace, StringComparer.Ordinal).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();
        var delivered = DeliveredResources(appRows, await works);
        return new FleetView
        {
            Clusters = ToClusters(await clusters, await leases),
            Applications = appRows,
            Policies = ToPolicies(await policies),
            ExternalSecrets = delivered.Where(r => r.Kind == SecretKind).ToList(),
            Storage = delivered.Where(r => StorageKinds.Contains(r.Kind)).ToList(),
        };
    }

    public static string DestinationOf(JsonObject app) =>
        app["spec"]?["destination"]?["name"]?.ToString() ?? app["spec"]?["destination"]?["server"]?.ToString() ?? "";

    private static async Task<IReadOnlyList<JsonObject>> ListAsync(IKubeClient client, ResourceRef resource, ListOptions? options, CancellationToken ct)
    {
        try
        {
            return (await client.ListAsync(resource, null, options, ct)).Items;
        }
        catch (KubeApiException e) when (e.StatusCode is 403 or 404)
        {
            return [];
        }
    }

    private static List<ClusterRow> ToClusters(IReadOnlyList<JsonObject> clusters, IReadOnlyList<JsonObject> leases)
    {
        var renewed = leases.ToDictionary(l => l.Namespace() ?? "", l => (l["spec"] as JsonObject)?.GetString("renewTime"), StringComparer.Ordinal);
        return clusters.Select(c =>
        {
            var name = c.Name() ?? "";
            var labels = c.Labels();
            var claims = (c["status"]?["clusterClaims"] as JsonArray)?.OfType<JsonObject>()
                .Select(x => KeyValuePair.Create(x.GetString("name") ?? "", x.GetString("value") ?? "")).ToList() ?? [];
            DateTimeOffset? lease = DateTimeOffset.TryParse(renewed.GetValueOrDefault(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
            return new ClusterRow(name, labels.GetValueOrDefault("cloud") ?? "(none)",
                Conditions.Get(c["status"] as JsonObject, "ManagedClusterConditionAvailable") ?? "Unknown", lease, labels, claims);
        }).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    public static AppRow ToApp(JsonObject a)
    {
        var status = a["status"] as JsonObject;
        var message = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().Select(c => c.GetString("message")).FirstOrDefault(m => !string.IsNullOrEmpty(m))
            ?? status?["operationState"]?["message"]?.ToString() ?? "";
        return new AppRow(a.Namespace() ?? "", a.Name() ?? "", DestinationOf(a),
            status?["sync"]?["status"]?.ToString() ?? "Unknown", status?["health"]?["status"]?.ToString() ?? "Unknown",
            status?["sync"]?["revision"]?.ToString() ?? "", message, a);
    }

    private static List<PolicyRow> ToPolicies(IReadOnlyList<JsonObject> policies)
    {
        // Replicated policies live in the cluster namespaces, named "<root namespace>.<root name>", labelled with the root.
        var replicated = policies.Where(p => p.Labels().ContainsKey(RootPolicyLabel))
            .ToDictionary(p => (Root: p.Labels()[RootPolicyLabel], Cluster: p.Namespace() ?? ""), p => p);
        return policies.Where(p => !p.Labels().ContainsKey(RootPolicyLabel))
            .Select(p =>
            {
                var key = $"{p.Namespace()}.{p.Name()}";
                var cells = (p["status"]?["status"] as JsonArray)?.OfType<JsonObject>().Select(s =>
                {
                    var cluster = s.GetString("clustername") ?? "";
                    var copy = replicated.GetValueOrDefault((key, cluster));
                    var history = (copy?["status"]?["details"] as JsonArray)?.OfType<JsonObject>()
                        .SelectMany(d => (d["history"] as JsonArray)?.OfType<JsonObject>() ?? [])
                        .Select(h => new PolicyEvent(h.GetString("lastTimestamp") ?? "", h.GetString("message") ?? ""))
                        .OrderByDescending(h => h.Time, StringComparer.Ordinal).ToList() ?? [];
                    return new PolicyCell(cluster, s.GetString("compliant") ?? "Pending", history.FirstOrDefault()?.Message ?? "", history);
                }).OrderBy(c => c.Cluster, StringComparer.Ordinal).ToList() ?? [];
                return new PolicyRow(p.Namespace() ?? "", p.Name() ?? "", (p["spec"] as JsonObject)?.GetString("remediationAction") ?? "",
                    (p["status"] as JsonObject)?.GetString("compliant") ?? "Pending", cells);
            }).OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The ExternalSecrets and storage objects each application delivers (from its <c>status.resources</c>), with
    /// the live status its cluster's agent fed back in the application's ManifestWork, where there is one.
    /// </summary>
    private static List<ClusterResourceRow> DeliveredResources(IReadOnlyList<AppRow> apps, IReadOnlyList<JsonObject> works)
    {
        var feedback = new Dictionary<(string Cluster, string Kind, string Ns, string Name), JsonObject>();
        foreach (var work in works)
        {
            foreach (var m in (work["status"]?["resourceStatus"]?["manifests"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var meta = m["resourceMeta"] as JsonObject ?? [];
                var kind = meta.GetString("kind") ?? "";
                if ((kind == SecretKind || StorageKinds.Contains(kind)) && ManifestWorkDelivery.LiveFields(m["statusFeedback"])?["status"] is JsonObject status)
                {
                    feedback[(work.Namespace() ?? "", kind, meta.GetString("namespace") ?? "", meta.GetString("name") ?? "")] = status;
                }
            }
        }
        var rows = new List<ClusterResourceRow>();
        foreach (var app in apps)
        {
            foreach (var r in (app.Object["status"]?["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var kind = r.GetString("kind") ?? "";
                if (kind != SecretKind && !StorageKinds.Contains(kind))
                {
                    continue;
                }
                var (ns, name) = (r.GetString("namespace") ?? "", r.GetString("name") ?? "");
                rows.Add(new ClusterResourceRow(app.Destination, $"{app.Namespace}/{app.Name}", kind, ns, name,
                    r["health"]?["status"]?.ToString() ?? "Unknown", r["health"]?["message"]?.ToString() ?? "",
                    feedback.GetValueOrDefault((app.Destination, kind, ns, name))));
            }
        }
        return rows.OrderBy(r => r.Cluster, StringComparer.Ordinal).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }
}
