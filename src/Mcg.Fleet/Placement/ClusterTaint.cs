using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Placement;

/// <summary>A ManagedCluster <c>spec.taints</c> entry. <see cref="TimeAdded"/> is null until the hub stamps it.</summary>
public sealed record ClusterTaint(string Key, string Value, string Effect, DateTimeOffset? TimeAdded)
{
    public static ClusterTaint FromJson(JsonObject taint) => new(
        taint.GetString("key") ?? "",
        taint.GetString("value") ?? "",
        taint.GetString("effect") ?? "",
        ParseTime(taint.GetString("timeAdded")));

    internal static DateTimeOffset? ParseTime(string? text) =>
        !string.IsNullOrEmpty(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : null;
}
