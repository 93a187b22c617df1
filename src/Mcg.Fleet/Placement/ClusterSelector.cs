using System.Text.Json.Nodes;
using Mcg.Kube.Selectors;

namespace Mcg.Fleet.Placement;

/// <summary>
/// A Placement <c>requiredClusterSelector</c> (or decision-group <c>groupClusterSelector</c>): a label selector over
/// the cluster's labels AND a claim selector (<c>matchExpressions</c>) over its <c>status.clusterClaims</c>.
/// Absent parts match everything.
/// </summary>
public sealed class ClusterSelector
{
    public static readonly ClusterSelector Everything = new(LabelSelector.Everything, LabelSelector.Everything);

    private readonly LabelSelector _labels;
    private readonly LabelSelector _claims;

    private ClusterSelector(LabelSelector labels, LabelSelector claims)
    {
        _labels = labels;
        _claims = claims;
    }

    /// <exception cref="FormatException">A selector is not valid.</exception>
    public static ClusterSelector FromObject(JsonObject? selector)
    {
        if (selector is null)
        {
            return Everything;
        }
        var labels = LabelSelector.FromObject(selector["labelSelector"] as JsonObject);
        var claims = selector["claimSelector"]?["matchExpressions"] is JsonArray expressions
            ? LabelSelector.FromObject(new JsonObject { ["matchExpressions"] = expressions.DeepClone() })
            : LabelSelector.Everything;
        return new ClusterSelector(labels, claims);
    }

    public bool Matches(ManagedClusterInfo cluster) => _labels.Matches(cluster.Labels) && _claims.Matches(cluster.Claims);
}
