using System.Text.Json.Nodes;

namespace Mcg.WebConsole.Fleet;

/// <summary>A ManagedCluster as the console shows it.</summary>
public sealed record ClusterRow(string Name, string Cloud, string Available, DateTimeOffset? LeaseRenewed,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyList<KeyValuePair<string, string>> Claims);

/// <summary>An Application: its destination, sync and health, and the object itself for the app page.</summary>
public sealed record AppRow(string Namespace, string Name, string Destination, string Sync, string Health, string Revision, string Message, JsonObject Object);

/// <summary>One cluster's compliance with a root policy, with the replicated policy's messages and history.</summary>
public sealed record PolicyCell(string Cluster, string Compliant, string Message, IReadOnlyList<PolicyEvent> History);

public sealed record PolicyEvent(string Time, string Message);

/// <summary>A root Policy and its compliance per cluster.</summary>
public sealed record PolicyRow(string Namespace, string Name, string Remediation, string Compliant, IReadOnlyList<PolicyCell> Clusters);

/// <summary>
/// A resource of an application on a cluster (ExternalSecret, StorageCluster, PVC) as the hub sees it: the health the
/// application controller judged, and the live status the cluster's agent fed back through the ManifestWork.
/// </summary>
public sealed record ClusterResourceRow(string Cluster, string App, string Kind, string Namespace, string Name, string Health, string Message, JsonObject? LiveStatus)
{
    /// <summary>ESO's Ready condition, else the application controller's health.</summary>
    public string Ready => Condition("Ready")?["status"]?.ToString() switch
    {
        "True" => "Synced",
        "False" => "Failing",
        _ => Health,
    };

    public string Reason => Condition("Ready")?["reason"]?.ToString() ?? Message;

    public string RefreshTime => LiveStatus?["refreshTime"]?.ToString() ?? "";

    /// <summary>StorageCluster or PVC phase (Running, Bound, Pending), else the health.</summary>
    public string Phase => LiveStatus?["phase"]?.ToString() ?? Health;

    private JsonObject? Condition(string type) =>
        (LiveStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type);
}
