namespace Mcg.Patterns.Generation;

/// <summary>
/// What the patterns operator learns about a cluster and passes as <c>global.*</c> parameters: its name
/// (<c>localClusterName</c>), platform (<c>clusterPlatform</c>, e.g. AWS), version (<c>clusterVersion</c>, X.Y), domain
/// (<c>clusterDomain</c>), applications domain (<c>localClusterDomain</c>, <c>apps.</c> + domain) and the hub's
/// applications domain (<c>hubClusterDomain</c>).
/// </summary>
public sealed record ClusterFacts(
    string ClusterName,
    string Platform,
    string Version,
    string ClusterDomain,
    string LocalClusterDomain,
    string HubClusterDomain)
{
    /// <summary>Facts of a cluster named <paramref name="name"/> under <paramref name="baseDomain"/> (<c>&lt;name&gt;.&lt;base&gt;</c>, apps at <c>apps.&lt;name&gt;.&lt;base&gt;</c>).</summary>
    public static ClusterFacts For(string name, string platform, string version, string baseDomain, string hubClusterDomain)
    {
        var domain = $"{name}.{baseDomain}";
        return new ClusterFacts(name, platform, version, domain, $"apps.{domain}", hubClusterDomain);
    }

    /// <summary>
    /// The chart's hub detection (<c>clustergroup-chart</c> tests/hub_cluster_detection_test.yaml): an explicit
    /// <c>isHubCluster</c> wins; otherwise the cluster is the hub when <c>localClusterDomain</c> (defaulting to
    /// <c>hubClusterDomain</c>) equals a non-empty <c>hubClusterDomain</c>.
    /// </summary>
    public bool IsHub(bool? isHubCluster)
    {
        if (isHubCluster is { } explicitly)
        {
            return explicitly;
        }
        var local = string.IsNullOrEmpty(LocalClusterDomain) ? HubClusterDomain : LocalClusterDomain;
        return HubClusterDomain.Length > 0 && local == HubClusterDomain;
    }

    /// <summary>The values the chart's templates see as <c>$.Values.global.*</c>, by key.</summary>
    public IReadOnlyDictionary<string, string> GlobalValues => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["localClusterName"] = ClusterName,
        ["clusterPlatform"] = Platform,
        ["clusterVersion"] = Version,
        ["clusterDomain"] = ClusterDomain,
        ["localClusterDomain"] = LocalClusterDomain,
        ["hubClusterDomain"] = HubClusterDomain,
    };
}
