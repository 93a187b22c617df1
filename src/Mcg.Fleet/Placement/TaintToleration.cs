namespace Mcg.Fleet.Placement;

/// <summary>
/// Upstream's TaintToleration filter: a cluster is selectable when every taint is tolerated. PreferNoSelect taints
/// are always tolerated, NoSelectIfNew taints are tolerated for clusters already in the placement's decisions, other
/// taints need a matching toleration whose tolerationSeconds (counted from the taint's timeAdded) have not run out.
/// </summary>
public static class TaintToleration
{
    public const string PluginName = "TaintToleration";

    /// <summary>
    /// Whether the placement may select the cluster; when tolerated only for a while, <c>Until</c> is the earliest
    /// moment a toleration runs out (reschedule then).
    /// </summary>
    public static (bool Tolerated, DateTimeOffset? Until) Check(ManagedClusterInfo cluster, IReadOnlyList<Toleration> tolerations,
        bool inDecision, DateTimeOffset now)
    {
        DateTimeOffset? until = null;
        foreach (var taint in cluster.Taints)
        {
            var (tolerated, taintUntil) = CheckTaint(taint, tolerations, inDecision, now);
            if (!tolerated)
            {
                return (false, null);
            }
            if (taintUntil is { } t && (until is null || t < until))
            {
                until = t;
            }
        }
        return (true, until);
    }

    private static (bool Tolerated, DateTimeOffset? Until) CheckTaint(ClusterTaint taint, IReadOnlyList<Toleration> tolerations,
        bool inDecision, DateTimeOffset now)
    {
        if (taint.Effect == TaintEffects.PreferNoSelect || (taint.Effect == TaintEffects.NoSelectIfNew && inDecision))
        {
            return (true, null);
        }
        foreach (var toleration in tolerations.Where(t => t.Matches(taint)))
        {
            if (toleration.TolerationSeconds is not { } seconds)
            {
                return (true, null);
            }
            if (taint.TimeAdded is not { } added)
            {
                // Not yet stamped by the hub (it will be, and the change reschedules): counts as just added.
                return (true, null);
            }
            var expires = added.AddSeconds(seconds);
            if (now < expires)
            {
                return (true, expires);
            }
        }
        return (false, null);
    }
}
