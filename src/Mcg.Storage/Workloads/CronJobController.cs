using System.Globalization;
using System.Text.Json.Nodes;
using Cronos;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>
/// The CronJob controller: creates a Job (<c>NAME-&lt;scheduled minutes since the epoch&gt;</c>) at each schedule time
/// (parsed by Cronos; <c>spec.timeZone</c> honoured), respecting <c>suspend</c> and <c>concurrencyPolicy</c>, keeps
/// <c>status.active</c>, <c>lastScheduleTime</c> and <c>lastSuccessfulTime</c>, and prunes finished Jobs beyond the history limits.
/// </summary>
public sealed class CronJobController : WorkloadController
{
    private readonly Informer _jobs;

    public CronJobController(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options,
        TimeProvider clock, ILogger<Controller> logger)
        : base("cronjob-controller", ResourceRef.CronJobs, client, informers, events, options, clock, logger)
    {
        _jobs = informers.For(Simulation.Resources.Jobs);
        Controller.Watch(_jobs, OwnerKeys);
    }

    public override async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (Owners.GetByKey(key) is not { } cj || cj.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        CronExpression schedule;
        TimeZoneInfo zone;
        try
        {
            var text = cj.Str("spec", "schedule");
            schedule = CronExpression.Parse(text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            zone = cj.Str("spec", "timeZone") is { Length: > 0 } tz ? TimeZoneInfo.FindSystemTimeZoneById(tz) : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            await Events.WarningAsync(cj, Component, "InvalidSchedule", $"invalid schedule: {cj.Str("spec", "schedule")}: {e.Message}", ct);
            return ReconcileResult.Done;
        }
        var now = Clock.GetUtcNow();
        var uid = cj.Str("metadata", "uid");
        var jobs = _jobs.List().Where(j => j.ControllerUid() == uid && !j.IsDeleting()).ToList();
        var active = jobs.Where(j => !IsFinished(j)).ToList();
        var status = cj.Obj("status")?.Clone() ?? [];
        var last = cj.Time("status", "lastScheduleTime") ?? cj.Time("metadata", "creationTimestamp") ?? now;
        var due = schedule.GetOccurrences(last.UtcDateTime, now.UtcDateTime, zone, fromInclusive: false, toInclusive: true).LastOrDefault();
        if (due != default && !cj.Bool("spec", "suspend"))
        {
            var policy = cj.Str("spec", "concurrencyPolicy");
            if (policy == "Forbid" && active.Count > 0)
            {
                // Skipped, as upstream: the next run waits for the next schedule time.
            }
            else
            {
                if (policy == "Replace")
                {
                    foreach (var job in active)
                    {
                        await Client.DeleteAsync(Simulation.Resources.Jobs, job.Str("metadata", "namespace"), job.Str("metadata", "name"),
                            new DeleteOptions { PropagationPolicy = PropagationPolicy.Background }, ct);
                    }
                    active.Clear();
                }
                var created = await CreateJobAsync(cj, due, ct);
                if (created is not null)
                {
                    active.Add(created);
                }
            }
            status["lastScheduleTime"] = Json.Timestamp(new DateTimeOffset(due, TimeSpan.Zero));
        }
        var succeededJobs = jobs.Where(j => CoreConditions.Status(j, "Complete") == "True").OrderBy(j => j.Str("status", "completionTime"), StringComparer.Ordinal).ToList();
        if (succeededJobs.LastOrDefault() is { } lastSuccess)
        {
            status["lastSuccessfulTime"] = lastSuccess.Str("status", "completionTime");
        }
        await PruneAsync(succeededJobs, (int)(cj.OptionalInt("spec", "successfulJobsHistoryLimit") ?? 3), ct);
        await PruneAsync([.. jobs.Where(j => CoreConditions.Status(j, "Failed") == "True").OrderBy(j => j.Str("metadata", "creationTimestamp"), StringComparer.Ordinal)],
            (int)(cj.OptionalInt("spec", "failedJobsHistoryLimit") ?? 1), ct);
        if (active.Count > 0)
        {
            status["active"] = new JsonArray([.. active.Select(j => (JsonNode)new JsonObject
            {
                ["apiVersion"] = "batch/v1",
                ["kind"] = "Job",
                ["name"] = j.Str("metadata", "name"),
                ["namespace"] = j.Str("metadata", "namespace"),
                ["uid"] = j.Str("metadata", "uid"),
            })]);
        }
        else
        {
            status.Remove("active");
        }
        await StatusWriter.WriteAsync(Client, Resource, cj, status, ct);
        var next = schedule.GetNextOccurrence(now.UtcDateTime, zone);
        return next is { } n ? ReconcileResult.After(new DateTimeOffset(n, TimeSpan.Zero) - now + TimeSpan.FromMilliseconds(10)) : ReconcileResult.Done;
    }

    private static bool IsFinished(JsonObject job) =>
        CoreConditions.Status(job, "Complete") == "True" || CoreConditions.Status(job, "Failed") == "True";

    private async Task<JsonObject?> CreateJobAsync(JsonObject cj, DateTime scheduled, CancellationToken ct)
    {
        var minutes = new DateTimeOffset(scheduled, TimeSpan.Zero).ToUnixTimeSeconds() / 60;
        var name = $"{cj.Str("metadata", "name")}-{minutes.ToString(CultureInfo.InvariantCulture)}";
        var template = cj.Obj("spec", "jobTemplate")?.Clone() ?? [];
        var metadata = template.Child("metadata");
        metadata["name"] = name;
        metadata["namespace"] = cj.Str("metadata", "namespace");
        metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(cj));
        var annotations = metadata.Child("annotations");
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = Json.Timestamp(new DateTimeOffset(scheduled, TimeSpan.Zero));
        var job = new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["metadata"] = metadata.Clone(), ["spec"] = template.Obj("spec")?.Clone() ?? [] };
        try
        {
            var created = await Client.CreateAsync(Simulation.Resources.Jobs, job, null, ct);
            await Events.NormalAsync(cj, Component, "SuccessfulCreate", $"Created job {name}", ct);
            return created;
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            return null;
        }
    }

    private async Task PruneAsync(List<JsonObject> finished, int keep, CancellationToken ct)
    {
        foreach (var job in finished.Take(Math.Max(0, finished.Count - keep)))
        {
            await Client.DeleteAsync(Simulation.Resources.Jobs, job.Str("metadata", "namespace"), job.Str("metadata", "name"),
                new DeleteOptions { PropagationPolicy = PropagationPolicy.Background }, ct);
        }
    }
}
