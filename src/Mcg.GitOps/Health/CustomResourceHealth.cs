using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Health;

/// <summary>Custom resources; each names the Argo CD resource customization it follows, or says there is none.</summary>
internal static class CustomResourceHealth
{
    /// <summary>
    /// core.libopenstorage.org StorageCluster (Portworx). Argo CD ships no customization for it; this reads the
    /// operator's status.phase the way its other phase-based checks do.
    /// </summary>
    public static HealthStatus StorageCluster(JsonObject obj)
    {
        var phase = obj.Str("status", "phase");
        var message = obj.Str("status", "reason") is { Length: > 0 } reason ? reason : obj.Str("status", "message");
        return phase switch
        {
            "Online" or "Running" => HealthStatus.Healthy(message),
            "Degraded" or "Failed" => HealthStatus.Degraded(message.Length > 0 ? message : $"StorageCluster is {phase}"),
            "" => HealthStatus.Progressing("Waiting for StorageCluster status"),
            _ => HealthStatus.Progressing(message.Length > 0 ? message : $"StorageCluster is {phase}"),
        };
    }

    /// <summary>
    /// core.libopenstorage.org StorageNode (Portworx, one per node). Argo CD ships no customization; Online is Healthy,
    /// Initializing Progressing, any other phase (Offline, Failed, NotInQuorum, Decommissioned…) Degraded with the
    /// node's NodeState message.
    /// </summary>
    public static HealthStatus StorageNode(JsonObject obj)
    {
        var phase = obj.Str("status", "phase");
        var message = obj.Conditions().FirstOrDefault(c => c.Type == "NodeState")?.Message ?? "";
        return phase switch
        {
            "Online" => HealthStatus.Healthy(message),
            "" => HealthStatus.Progressing("Waiting for StorageNode status"),
            "Initializing" => HealthStatus.Progressing(message.Length > 0 ? message : "StorageNode is Initializing"),
            _ => HealthStatus.Degraded(message.Length > 0 ? message : $"StorageNode is {phase}"),
        };
    }

    /// <summary>
    /// snapshot.storage.k8s.io VolumeSnapshot and VolumeSnapshotContent:
    /// resource_customizations/snapshot.storage.k8s.io/VolumeSnapshot/health.lua (readyToUse is Healthy, an error
    /// Degraded, otherwise waiting).
    /// </summary>
    public static HealthStatus VolumeSnapshot(JsonObject obj)
    {
        if (obj.Bool("status", "readyToUse"))
        {
            return HealthStatus.Healthy("Ready to use");
        }
        if (obj.At("status", "error") is JsonObject error)
        {
            return HealthStatus.Degraded(error.Str("message"));
        }
        return HealthStatus.Progressing("Waiting for status");
    }

    /// <summary>
    /// external-secrets.io ExternalSecret: resource_customizations/external-secrets.io/ExternalSecret/health.lua. The
    /// Ready condition decides; with refreshPolicy OnChange it counts only once it is at least as recent as refreshTime.
    /// </summary>
    public static HealthStatus ExternalSecret(JsonObject obj)
    {
        var onChange = obj.Str("spec", "refreshPolicy") == "OnChange";
        foreach (var condition in obj.Conditions())
        {
            if (condition.Type == "Ready"
                && (!onChange || string.CompareOrdinal(condition.LastTransitionTime, obj.Str("status", "refreshTime")) >= 0))
            {
                return condition.Status switch
                {
                    "True" => HealthStatus.Healthy(condition.Message),
                    "False" => HealthStatus.Degraded(condition.Message),
                    _ => HealthStatus.Progressing("Waiting for ExternalSecret"),
                };
            }
        }
        return HealthStatus.Progressing("Waiting for ExternalSecret");
    }

    /// <summary>
    /// work.open-cluster-management.io ManifestWork. Argo CD ships no customization; this follows the work agent's
    /// conditions: Degraded=True or Applied=False is Degraded, Applied and Available both True is Healthy.
    /// </summary>
    public static HealthStatus ManifestWork(JsonObject obj)
    {
        var conditions = obj.Conditions();
        Condition? Find(string type) => conditions.FirstOrDefault(c => c.Type == type);
        if (Find("Degraded") is { Status: "True" } degraded)
        {
            return HealthStatus.Degraded(degraded.Message);
        }
        var applied = Find("Applied");
        if (applied is { Status: "False" })
        {
            return HealthStatus.Degraded(applied.Message);
        }
        var available = Find("Available");
        if (applied is { Status: "True" } && available is { Status: "True" })
        {
            return HealthStatus.Healthy(available.Message);
        }
        return HealthStatus.Progressing(available?.Message is { Length: > 0 } m ? m : "Waiting for ManifestWork to be applied");
    }

    /// <summary>policy.open-cluster-management.io Policy: resource_customizations/policy.open-cluster-management.io/Policy/health.lua.</summary>
    public static HealthStatus Policy(JsonObject obj)
    {
        if (obj.Bool("spec", "disabled"))
        {
            return HealthStatus.Healthy("Policy is disabled");
        }
        if (obj["status"] is not JsonObject status)
        {
            return HealthStatus.Progressing("Waiting for the status to be reported");
        }
        var compliant = status.OptionalStr("compliant");
        // A policy placed on no cluster has placements but neither a compliant field nor per-cluster status.
        if (compliant is null && status["status"] is null && status.Array("placement").Count > 0)
        {
            return HealthStatus.Healthy("No clusters match this policy");
        }
        if (compliant is null)
        {
            return HealthStatus.Progressing("Waiting for the status to be reported");
        }
        var code = compliant == "Compliant" ? HealthStatusCode.Healthy : HealthStatusCode.Degraded;
        string message;
        if (status["status"] is JsonArray clusters)
        {
            // A root policy lists clusters; a replicated one lists its templates.
            var noncompliant = clusters.OfType<JsonObject>().Where(c => c.Str("compliant") != "Compliant").Select(c => c.Str("clustername")).ToList();
            message = noncompliant.Count == 0 ? "All clusters are compliant" : "NonCompliant clusters: " + string.Join(", ", noncompliant);
        }
        else if (status["details"] is JsonArray details)
        {
            var noncompliant = details.OfType<JsonObject>().Where(d => d.Str("compliant") != "Compliant").Select(d => d.Str("templateMeta", "name")).ToList();
            message = noncompliant.Count == 0 ? "All templates are compliant" : "NonCompliant templates: " + string.Join(", ", noncompliant);
        }
        else
        {
            message = "";
        }
        return new HealthStatus(code, message);
    }

    /// <summary>operators.coreos.com Subscription: resource_customizations/operators.coreos.com/Subscription/health.lua.</summary>
    public static HealthStatus Subscription(JsonObject obj)
    {
        const string Pending = "An install plan for a subscription is pending installation";
        if (obj.At("status", "conditions") is not JsonArray)
        {
            return HealthStatus.Progressing(Pending);
        }
        int degraded = 0, pending = 0;
        var message = new StringBuilder();
        var index = 0;
        foreach (var condition in obj.Conditions())
        {
            // The Lua lists every condition, numbered from 1, whatever the verdict.
            message.Append($"{++index}: {condition.Type} | {condition.Status}\n");
            if (condition.Type == "InstallPlanPending" && condition.Status == "True")
            {
                pending++;
            }
            else if (condition.Type == "InstallPlanMissing" && condition.Reason != "ReferencedInstallPlanNotFound")
            {
                degraded++;
            }
            else if (condition.Type is "CatalogSourcesUnhealthy" or "InstallPlanFailed" or "ResolutionFailed" && condition.Status == "True")
            {
                degraded++;
            }
        }
        if (degraded > 0)
        {
            return HealthStatus.Degraded(message.ToString());
        }
        return pending > 0 ? HealthStatus.Progressing(Pending) : HealthStatus.Healthy(message.ToString());
    }
}
