using System.Text.Json.Nodes;

namespace Mcg.GitOps.Health;

/// <summary>batch/v1 Job (gitops-engine health_job.go) and CronJob (Argo CD resource_customizations/batch/CronJob/health.lua).</summary>
internal static class BatchHealth
{
    public static HealthStatus Job(JsonObject obj)
    {
        bool failed = false, complete = false, suspended = false;
        string failMessage = "", message = "";
        // Upstream looks at the condition types only, not their status, except for Suspended.
        foreach (var condition in obj.Conditions())
        {
            switch (condition.Type)
            {
                case "Failed":
                    (failed, complete, failMessage) = (true, true, condition.Message);
                    break;
                case "Complete":
                    (complete, message) = (true, condition.Message);
                    break;
                case "Suspended":
                    (complete, message) = (true, condition.Message);
                    suspended |= condition.Status == "True";
                    break;
            }
        }
        if (!complete)
        {
            return HealthStatus.Progressing(message);
        }
        if (failed)
        {
            return HealthStatus.Degraded(failMessage);
        }
        return suspended ? HealthStatus.Suspended(message) : HealthStatus.Healthy(message);
    }

    /// <summary>
    /// Argo CD's current CronJob check (a run in progress is Progressing, a last schedule not followed by a success is
    /// Degraded), preceded by the suspend and no-status rules of its earlier version, which the current one dropped.
    /// </summary>
    public static HealthStatus CronJob(JsonObject obj)
    {
        if (obj.Bool("spec", "suspend"))
        {
            return HealthStatus.Suspended("CronJob is Suspended");
        }
        if (obj["status"] is not JsonObject)
        {
            return HealthStatus.Progressing("Waiting for CronJob");
        }
        if (obj.Array("status", "active").Count > 0)
        {
            return HealthStatus.Progressing("CronJob has active jobs");
        }
        var lastSchedule = obj.Time("status", "lastScheduleTime");
        if (lastSchedule is null)
        {
            return HealthStatus.Healthy("CronJob has never run");
        }
        var lastSuccess = obj.Time("status", "lastSuccessfulTime");
        return lastSuccess is not null && lastSchedule < lastSuccess
            ? HealthStatus.Healthy("CronJob has run successfully")
            : HealthStatus.Degraded("CronJob has not run successfully");
    }
}
