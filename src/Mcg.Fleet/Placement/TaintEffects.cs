namespace Mcg.Fleet.Placement;

/// <summary>The effects of a ManagedCluster taint (cluster/v1 TaintEffect).</summary>
public static class TaintEffects
{
    /// <summary>Placements that do not tolerate the taint do not select the cluster, and drop it if selected.</summary>
    public const string NoSelect = "NoSelect";

    /// <summary>Upstream's scheduler does not act on it (the cluster stays selectable); kept for the API.</summary>
    public const string PreferNoSelect = "PreferNoSelect";

    /// <summary>Placements that do not tolerate the taint do not newly select the cluster but keep it if already selected.</summary>
    public const string NoSelectIfNew = "NoSelectIfNew";
}
