using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Delivery;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Delivery;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Cli.Commands;

/// <summary>The ManifestWork that carries an application to a managed cluster (null <c>Work</c>: not delivered yet).</summary>
internal sealed record AppDelivery(string Cluster, string WorkName, JsonObject? Work)
{
    /// <summary>Where an application whose destination is a managed cluster is delivered; null for the hub's own destination.</summary>
    public static async Task<AppDelivery?> FindAsync(IKubeClient client, JsonObject app, CancellationToken ct)
    {
        var destination = app["spec"]?["destination"];
        var server = destination?["server"]?.ToString();
        var cluster = destination?["name"]?.ToString();
        if (cluster is null or "in-cluster" && server is null or ApplicationDestination.InClusterServer)
        {
            return null;
        }
        if (cluster is null)
        {
            var secrets = await client.ListAsync(ResourceRef.Secrets, app.Namespace() ?? "argocd", new ListOptions { LabelSelector = $"{ClusterSecrets.SecretTypeLabel}=cluster" }, ct);
            cluster = secrets.Items.Select(ClusterSecrets.FromSecret).FirstOrDefault(c => c?.Server == server?.TrimEnd('/'))?.Name;
        }
        if (cluster is null)
        {
            return null;
        }
        var workName = ManifestWorkDelivery.WorkName(new WorkOwner(app.Namespace() ?? "", app.Name()!));
        JsonObject? work = null;
        try
        {
            work = await client.GetAsync(OcmCrds.ManifestWorks, cluster, workName, ct);
        }
        catch (KubeApiException)
        {
            // not a fleet hub: no ManifestWorks served
        }
        return new AppDelivery(cluster, workName, work);
    }

    /// <summary>The agent's Applied condition on the work, if it reported one.</summary>
    public JsonObject? Applied => (Work?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Applied");

    /// <summary>Whether the agent's report describes the work's current spec.</summary>
    public bool Current => Applied?["observedGeneration"]?.GetValue<long>() is { } observed && observed == Work?.Metadata()["generation"]?.GetValue<long>();

    /// <summary>The delivered manifests the agent reports applied, by <see cref="RemoteComparer.KeyOf(JsonObject)"/>.</summary>
    public Dictionary<string, JsonObject> AppliedManifests()
    {
        var applied = new HashSet<string>();
        foreach (var m in (Work?["status"]?["resourceStatus"]?["manifests"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var meta = m["resourceMeta"] as JsonObject ?? [];
            if ((m["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => c.GetString("type") == "Applied" && c.GetString("status") == "True") == true)
            {
                applied.Add(RemoteComparer.KeyOf(new RemoteResource(meta.GetString("group") ?? "", meta.GetString("version") ?? "", meta.GetString("kind") ?? "",
                    meta.GetString("namespace") ?? "", meta.GetString("name") ?? "", true, null, null)));
            }
        }
        return ((Work?["spec"]?["workload"]?["manifests"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Where(m => applied.Contains(RemoteComparer.KeyOf(m)))
            .ToDictionary(RemoteComparer.KeyOf);
    }
}
