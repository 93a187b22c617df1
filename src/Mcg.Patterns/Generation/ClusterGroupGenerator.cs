using System.Text.Json.Nodes;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Generation;

/// <summary>Everything generated for a Pattern at one revision: the objects to apply on the hub and what could not be made renderable.</summary>
public sealed record GeneratedSet(IReadOnlyList<JsonObject> Objects, IReadOnlyList<GenerationProblem> Problems);

/// <summary>
/// What the clustergroup chart renders for the hub's group, and what the acm chart plus each managed cluster's
/// clustergroup chart render for a managed cluster group, expressed as hub objects: for each selected cluster the
/// group's Applications targeted at it (<c>destination.name</c>), and ManifestWorks carrying the group's Namespaces and
/// operator objects to it.
/// </summary>
public static class ClusterGroupGenerator
{
    /// <summary>The hub's own group: namespaces, OperatorGroups, Subscriptions, AppProjects, imperative jobs, Applications, Placements.</summary>
    public static GeneratedSet Hub(PatternValues values, GenerationContext ctx)
    {
        var objects = new List<JsonObject>();
        objects.AddRange(CoreGenerator.Namespaces(values));
        objects.AddRange(CoreGenerator.OperatorGroups(values));
        objects.AddRange(CoreGenerator.Subscriptions(values));
        objects.AddRange(CoreGenerator.Projects(values, ctx.ArgoNamespace));
        objects.AddRange(ImperativeGenerator.Generate(values, ctx));
        var (apps, problems) = ApplicationGenerator.Generate(values, ctx);
        objects.AddRange(apps);
        if (ctx.Facts.IsHub(values.ClusterGroup.IsHubCluster) && values.ClusterGroup.ManagedClusterGroups.Count > 0)
        {
            objects.Add(PlacementGenerator.ClusterSetBinding());
            objects.AddRange(values.ClusterGroup.ManagedClusterGroups.Select(PlacementGenerator.Placement));
            objects.AddRange(values.ClusterGroup.ManagedClusterGroups.SelectMany(HiveGenerator.Generate));
        }
        return new GeneratedSet(objects, problems);
    }

    /// <summary>A managed cluster group's objects for one selected cluster (<paramref name="ctx"/> has its facts and name).</summary>
    public static GeneratedSet ManagedCluster(PatternValues values, GenerationContext ctx)
    {
        var cluster = ctx.ManagedCluster ?? throw new ArgumentException("the context names no managed cluster", nameof(ctx));
        var objects = new List<JsonObject>();
        objects.AddRange(CoreGenerator.Projects(values, ctx.ArgoNamespace));
        var (apps, problems) = ApplicationGenerator.Generate(values, ctx);
        objects.AddRange(apps);
        var prefix = $"{values.Global.Pattern}-{values.ClusterGroup.Name}";
        objects.Add(Work($"{prefix}-namespaces", cluster, CoreGenerator.Namespaces(values)));
        var operators = CoreGenerator.OperatorGroups(values).Concat(CoreGenerator.Subscriptions(values)).ToList();
        if (operators.Count > 0)
        {
            objects.Add(Work($"{prefix}-operators", cluster, operators));
        }
        if (ImperativeGenerator.Generate(values, ctx) is { Count: > 0 } imperative)
        {
            objects.Add(Work($"{prefix}-imperative", cluster, imperative));
        }
        return new GeneratedSet(objects, problems);
    }

    private static JsonObject Work(string name, string cluster, IEnumerable<JsonObject> manifests) => new()
    {
        ["apiVersion"] = "work.open-cluster-management.io/v1",
        ["kind"] = "ManifestWork",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = cluster },
        ["spec"] = new JsonObject { ["workload"] = new JsonObject { ["manifests"] = new JsonArray(manifests.Select(m => (JsonNode?)m).ToArray()) } },
    };
}
