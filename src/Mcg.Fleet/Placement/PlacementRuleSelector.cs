using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Kube.Selectors;

namespace Mcg.Fleet.Placement;

/// <summary>
/// The legacy <c>apps.open-cluster-management.io/v1</c> PlacementRule's selection (upstream's hubReconcile), over all
/// ManagedClusters (PlacementRules know no cluster sets):
/// <list type="number">
/// <item><c>spec.clusters</c> (names) when given, else <c>spec.clusterSelector</c> (absent: all clusters); deleting clusters are skipped;</item>
/// <item><c>spec.clusterConditions</c>: every listed condition type must be reported with the listed status (an empty
/// status accepts any); without clusterConditions the cluster must be <c>ManagedClusterConditionAvailable=True</c>;</item>
/// <item><c>spec.clusterReplicas</c> caps the count: with <c>resourceHint</c> (cpu|memory, order desc by default) by
/// allocatable amount, otherwise previously decided clusters first (in their order), then by name.</item>
/// </list>
/// </summary>
public static class PlacementRuleSelector
{
    public const string AvailableCondition = "ManagedClusterConditionAvailable";

    /// <exception cref="FormatException">The cluster selector is not valid.</exception>
    public static IReadOnlyList<string> Select(JsonObject rule, IEnumerable<ManagedClusterInfo> clusters)
    {
        var spec = rule["spec"] as JsonObject ?? [];
        var replicas = spec["clusterReplicas"] is JsonValue r && r.TryGetValue<int>(out var n) ? Math.Max(0, n) : (int?)null;
        if (replicas == 0)
        {
            return [];
        }
        var names = (spec["clusters"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c.GetString("name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var selector = names.Count == 0 ? LabelSelector.FromObject(spec["clusterSelector"] as JsonObject) : LabelSelector.Everything;
        var conditions = (spec["clusterConditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => new ClusterCondition(c.GetString("type") ?? "", c.GetString("status") ?? ""))
            .ToList();
        if (conditions.Count == 0)
        {
            conditions.Add(new ClusterCondition(AvailableCondition, "True"));
        }

        var eligible = clusters
            .Where(c => !c.Deleting)
            .Where(c => names.Count == 0 ? selector.Matches(c.Labels) : names.Contains(c.Name))
            .Where(c => conditions.All(want => c.ConditionStatus(want.Type) is { } have && (want.Status.Length == 0 || want.Status == have)))
            .ToDictionary(c => c.Name, StringComparer.Ordinal);

        IEnumerable<string> ordered;
        if (spec["resourceHint"] is JsonObject hint && hint.GetString("type") is "cpu" or "memory")
        {
            var resource = hint.GetString("type")!;
            var ascending = hint.GetString("order") == "asc";
            double Amount(string name) => eligible[name].Allocatable.GetValueOrDefault(resource);
            ordered = ascending
                ? eligible.Keys.OrderBy(Amount).ThenBy(k => k, StringComparer.Ordinal)
                : eligible.Keys.OrderByDescending(Amount).ThenBy(k => k, StringComparer.Ordinal);
        }
        else
        {
            var previous = (rule["status"]?["decisions"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(d => d.GetString("clusterName"))
                .OfType<string>()
                .Where(eligible.ContainsKey)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            ordered = previous.Concat(eligible.Keys.Except(previous, StringComparer.Ordinal).Order(StringComparer.Ordinal));
        }
        return (replicas is { } cap ? ordered.Take(cap) : ordered).ToList();
    }
}
