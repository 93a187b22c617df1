namespace Mcg.Patterns.Generation;

/// <summary>
/// What the generation of one cluster group for one cluster needs besides the values: the Pattern's repository and
/// revision (<c>global.repoURL</c>, <c>global.targetRevision</c>), the namespace Applications and AppProjects live in
/// (upstream <c>global.vpArgoNamespace</c>: the hub's single Argo CD), the cluster's facts, and the checked-out
/// repository to look into (whether a path holds a chart or a kustomization; null when not available).
/// </summary>
public sealed record GenerationContext(
    string RepoUrl,
    string TargetRevision,
    string ArgoNamespace,
    ClusterFacts Facts,
    string? RepositoryRoot)
{
    /// <summary>
    /// The destination cluster of the group's Applications: null on the hub (the chart's <c>clusterGroup.targetCluster</c>,
    /// <c>in-cluster</c>), or a managed cluster's name, which also prefixes the Application names so that every
    /// cluster's copy can live in the hub's Argo CD namespace.
    /// </summary>
    public string? ManagedCluster { get; init; }
}
