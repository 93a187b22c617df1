using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Kube.Selectors;

namespace Mcg.Fleet.Placement;

/// <summary>
/// Which ManagedClusters belong to a ManagedClusterSet (v1beta2 <c>spec.clusterSelector</c>): with selectorType
/// ExclusiveClusterSetLabel (the default) the clusters labelled <c>cluster.open-cluster-management.io/clusterset=&lt;set&gt;</c>;
/// with LabelSelector those matching <c>labelSelector</c> (<c>{}</c> matches all, absent matches none).
/// </summary>
public sealed class ClusterSetSelector
{
    public const string ExclusiveClusterSetLabel = "ExclusiveClusterSetLabel";
    public const string LabelSelectorType = "LabelSelector";

    private readonly LabelSelector? _selector;

    private ClusterSetSelector(string setName, LabelSelector? selector, string? error)
    {
        SetName = setName;
        _selector = selector;
        Error = error;
    }

    public string SetName { get; }

    /// <summary>Why the set selects nothing because its spec is not valid; null when valid.</summary>
    public string? Error { get; }

    public static ClusterSetSelector FromObject(JsonObject clusterSet)
    {
        var name = clusterSet.Name() ?? "";
        var selector = clusterSet["spec"]?["clusterSelector"] as JsonObject;
        var type = selector?.GetString("selectorType") ?? "";
        switch (type)
        {
            case "" or ExclusiveClusterSetLabel or "LegacyClusterSetLabel":
                return new ClusterSetSelector(name, LabelSelector.Parse($"{OcmLabels.ClusterSet}={name}"), null);
            case LabelSelectorType:
                if (selector?["labelSelector"] is not JsonObject labelSelector)
                {
                    return new ClusterSetSelector(name, null, null);
                }
                try
                {
                    return new ClusterSetSelector(name, LabelSelector.FromObject(labelSelector), null);
                }
                catch (FormatException e)
                {
                    return new ClusterSetSelector(name, null, e.Message);
                }
            default:
                return new ClusterSetSelector(name, null, $"selectorType {type} is not right");
        }
    }

    public bool Matches(IReadOnlyDictionary<string, string> clusterLabels) => _selector?.Matches(clusterLabels) ?? false;
}
