using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Patterns.Generation;

namespace Mcg.Patterns.Controller;

/// <summary>
/// A managed cluster's facts from its ManagedCluster: platform from the <c>cloud</c> label (ACM's vendor names mapped to
/// OpenShift platform types: Amazon → AWS, Google → GCP), version from <c>openshiftVersion-major-minor</c>, domain
/// from the name and the base domain.
/// </summary>
public static class ManagedClusterFacts
{
    public static ClusterFacts For(JsonObject? cluster, string name, PatternControllerOptions options, ClusterFacts hub)
    {
        var labels = cluster?.Labels() ?? new Dictionary<string, string>();
        var platform = labels.GetValueOrDefault("cloud") switch
        {
            null or "" or "auto-detect" => "None",
            "Amazon" => "AWS",
            "Google" => "GCP",
            "IBM" => "IBMCloud",
            var other => other,
        };
        var version = labels.GetValueOrDefault("openshiftVersion-major-minor") is { Length: > 0 } v ? v : hub.Version;
        return ClusterFacts.For(name, platform, version, options.BaseDomain, hub.HubClusterDomain);
    }

    public static ClusterFacts Hub(PatternControllerOptions options)
    {
        var domain = $"{options.HubClusterName}.{options.BaseDomain}";
        return new ClusterFacts(options.HubClusterName, options.HubPlatform, options.HubVersion, domain, $"apps.{domain}", $"apps.{domain}");
    }
}
