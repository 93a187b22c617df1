namespace Mcg.Fleet.Placement;

/// <summary>Upstream label, annotation and taint names used by the placement controllers.</summary>
public static class OcmLabels
{
    /// <summary>Assigns a ManagedCluster to the ExclusiveClusterSetLabel set of that name.</summary>
    public const string ClusterSet = "cluster.open-cluster-management.io/clusterset";

    /// <summary>On PlacementDecisions: the name of the owning Placement.</summary>
    public const string Placement = "cluster.open-cluster-management.io/placement";

    public const string DecisionGroupIndex = "cluster.open-cluster-management.io/decision-group-index";
    public const string DecisionGroupName = "cluster.open-cluster-management.io/decision-group-name";

    /// <summary>"true" on a Placement makes the scheduler leave it alone.</summary>
    public const string PlacementDisableAnnotation = "cluster.open-cluster-management.io/experimental-scheduling-disable";

    /// <summary>"false" on the default or global ManagedClusterSet stops the hub from restoring its spec.</summary>
    public const string AutoUpdateAnnotation = "cluster.open-cluster-management.io/autoupdate";

    /// <summary>Taint the hub puts on a cluster whose ManagedClusterConditionAvailable is Unknown.</summary>
    public const string UnreachableTaint = "cluster.open-cluster-management.io/unreachable";

    /// <summary>Taint the hub puts on a cluster whose ManagedClusterConditionAvailable is False.</summary>
    public const string UnavailableTaint = "cluster.open-cluster-management.io/unavailable";

    public const string DefaultClusterSetName = "default";
    public const string GlobalClusterSetName = "global";
}
