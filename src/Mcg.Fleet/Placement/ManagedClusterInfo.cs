using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>What the placement controllers read of a ManagedCluster.</summary>
public sealed record ManagedClusterInfo
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary><c>status.clusterClaims</c> as name → value.</summary>
    public IReadOnlyDictionary<string, string> Claims { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<ClusterTaint> Taints { get; init; } = [];
    public IReadOnlyList<ClusterCondition> Conditions { get; init; } = [];

    /// <summary><c>status.allocatable</c> as resource name → amount (cpu in cores, memory in bytes).</summary>
    public IReadOnlyDictionary<string, double> Allocatable { get; init; } = new Dictionary<string, double>();

    /// <summary><c>status.capacity</c> as resource name → amount.</summary>
    public IReadOnlyDictionary<string, double> Capacity { get; init; } = new Dictionary<string, double>();
    public bool Deleting { get; init; }

    public string? ConditionStatus(string type) => Conditions.FirstOrDefault(c => c.Type == type)?.Status;

    public static ManagedClusterInfo FromObject(JsonObject cluster)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var claim in (cluster["status"]?["clusterClaims"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (claim.GetString("name") is { } name)
            {
                claims[name] = claim.GetString("value") ?? "";
            }
        }
        return new ManagedClusterInfo
        {
            Name = cluster.Name() ?? "",
            Labels = cluster.Labels(),
            Claims = claims,
            Taints = (cluster["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>().Select(ClusterTaint.FromJson).ToList(),
            Conditions = (cluster["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(c => new ClusterCondition(c.GetString("type") ?? "", c.GetString("status") ?? "")).ToList(),
            Allocatable = Quantities(cluster["status"]?["allocatable"] as JsonObject),
            Capacity = Quantities(cluster["status"]?["capacity"] as JsonObject),
            Deleting = cluster["metadata"]?["deletionTimestamp"] is not null,
        };
    }

    private static Dictionary<string, double> Quantities(JsonObject? map)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in map ?? [])
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString();
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }
            try
            {
                result[name] = (double)new ResourceQuantity(text).ToDecimal();
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    result[name] = d;
                }
            }
        }
        return result;
    }
}
