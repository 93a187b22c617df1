using System.Text.Json.Nodes;

namespace Mcg.Patterns.Values;

/// <summary>A <c>clusterGroup.namespaces</c> entry: a bare name, or a name with labels, annotations and OperatorGroup settings.</summary>
public sealed record NamespaceEntry(
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    bool HasOptions,
    bool? OperatorGroup,
    IReadOnlyList<string>? TargetNamespaces);

/// <summary>A <c>clusterGroup.subscriptions</c> entry: an OLM operator to subscribe to.</summary>
public sealed record SubscriptionEntry(
    string Name,
    IReadOnlyList<string> Namespaces,
    string Source,
    string SourceNamespace,
    string? Channel,
    string? Csv,
    string? InstallPlanApproval,
    JsonObject? Config,
    IReadOnlyDictionary<string, string> Annotations);

/// <summary>A Helm parameter of an application (<c>overrides[]</c>) or of a managed cluster group (<c>helmOverrides[]</c>).</summary>
public sealed record HelmOverride(string Name, string Value, bool ForceString);

/// <summary>A <c>clusterGroup.applications</c> entry.</summary>
public sealed record ApplicationEntry(
    string Key,
    string Name,
    string? Namespace,
    string Project,
    string? Path,
    string? Chart,
    string? ChartVersion,
    string? RepoUrl,
    string? TargetRevision,
    IReadOnlyList<HelmOverride> Overrides,
    IReadOnlyList<string> ExtraValueFiles,
    JsonArray? FileParameters,
    JsonArray? IgnoreDifferences,
    JsonNode? SyncPolicy,
    IReadOnlyDictionary<string, string> Annotations,
    JsonNode? Kustomize,
    JsonObject? Plugin,
    string Field)
{
    /// <summary>Whether upstream makes it a multi-source Application (pattern repo as <c>$patternref</c> + chart).</summary>
    public bool MultiSource => !string.IsNullOrEmpty(ChartVersion);

    /// <summary>The entry asks for Kustomize explicitly (<c>kustomize: true</c> or a kustomize options map).</summary>
    public bool KustomizeRequested => Kustomize is JsonObject || (Kustomize is JsonValue v && v.TryGetValue<bool>(out var b) && b);
}

/// <summary>A <c>clusterGroup.managedClusterGroups</c> entry: which clusters run the group's <c>values-&lt;name&gt;.yaml</c>.</summary>
public sealed record ManagedClusterGroupEntry(
    string Key,
    string Name,
    string? TargetRevision,
    IReadOnlyList<KeyValuePair<string, string>> AcmLabels,
    JsonObject? ClusterSelector,
    IReadOnlyList<HelmOverride> HelmOverrides,
    JsonObject? ClusterPools,
    JsonObject? ClusterDeployments,
    string Field);
