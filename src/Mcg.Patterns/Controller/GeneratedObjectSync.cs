using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;

namespace Mcg.Patterns.Controller;

/// <summary>
/// Server-side-applies what a Pattern generated, each object labelled with its owner, and deletes the labelled objects
/// it no longer generates (only ever after a successful generation, so a broken commit prunes nothing).
/// </summary>
public sealed class GeneratedObjectSync(IKubeClient client, string fieldManager)
{
    /// <summary>Every kind a Pattern can generate, in apply order (namespaces and projects before what uses them).</summary>
    public static readonly IReadOnlyList<ResourceRef> Kinds =
    [
        ResourceRef.Namespaces,
        OlmKinds.OperatorGroups,
        OlmKinds.Subscriptions,
        ResourceRef.ServiceAccounts,
        ResourceRef.ClusterRoles,
        ResourceRef.Roles,
        ResourceRef.ClusterRoleBindings,
        ResourceRef.RoleBindings,
        ResourceRef.ConfigMaps,
        ResourceRef.CronJobs,
        ApplicationController.AppProjects,
        OcmCrds.ManagedClusterSets,
        OcmCrds.ManagedClusterSetBindings,
        OcmCrds.ManagedClusters,
        PatternCrds.ClusterPools,
        PatternCrds.ClusterClaims,
        PatternCrds.ClusterDeployments,
        OcmCrds.Placements,
        ApplicationController.Applications,
        OcmCrds.ManifestWorks,
    ];

    public async Task ApplyAsync(string owner, IReadOnlyList<JsonObject> objects, CancellationToken ct)
    {
        foreach (var obj in objects.OrderBy(o => Rank(o)))
        {
            var labels = obj.Metadata()["labels"] as JsonObject ?? new JsonObject();
            obj.Metadata()["labels"] = labels;
            if (obj.Kind() == "Namespace" && await client.GetAsync(ResourceRef.Namespaces, null, obj.Name()!, ct) is { } existing
                && existing.Labels().GetValueOrDefault(PatternLabels.Owner) != owner)
            {
                // A namespace that existed before (open-cluster-management, a user's): labelled as the chart does, never pruned.
                await client.ApplyAsync(obj, new ApplyOptions(fieldManager) { Force = true }, ct);
                continue;
            }
            labels[PatternLabels.Owner] = owner;
            await client.ApplyAsync(obj, new ApplyOptions(fieldManager) { Force = true }, ct);
        }
    }

    /// <summary>Deletes the objects labelled with <paramref name="owner"/> that are not in <paramref name="keep"/>; returns how many.</summary>
    public async Task<int> PruneAsync(string owner, IReadOnlyList<JsonObject> keep, CancellationToken ct)
    {
        var wanted = keep.Select(Key).ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var kind in Kinds.Reverse())
        {
            var existing = await client.ListAsync(kind, null, new ListOptions { LabelSelector = $"{PatternLabels.Owner}={owner}" }, ct);
            foreach (var obj in existing.Items)
            {
                if (!wanted.Contains($"{kind.Kind}/{obj.Namespace()}/{obj.Name()}"))
                {
                    await client.DeleteAsync(kind, obj.Namespace(), obj.Name()!, null, ct);
                    deleted++;
                }
            }
        }
        return deleted;
    }

    private static string Key(JsonObject o) => $"{o.Kind()}/{o.Namespace()}/{o.Name()}";

    private static int Rank(JsonObject o)
    {
        for (var i = 0; i < Kinds.Count; i++)
        {
            if (Kinds[i].Kind == o.Kind())
            {
                return i;
            }
        }
        return Kinds.Count;
    }
}
