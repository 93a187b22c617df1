using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>
/// The Job controller: runs up to <c>parallelism</c> pods until <c>completions</c> succeeded (Complete) or more than
/// <c>backoffLimit</c> failed (Failed, BackoffLimitExceeded), with upstream's counters, times and conditions. The
/// simulation annotations on the Job (run time, failure) are passed on to its pods.
/// </summary>
public sealed class JobController(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options,
    TimeProvider clock, ILogger<Controller> logger)
    : WorkloadController("job-controller", Simulation.Resources.Jobs, client, informers, events, options, clock, logger)
{
    public override async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (Owners.GetByKey(key) is not { } job || job.IsDeleting())
        {
            return ReconcileResult.Done;
        }
        if (!ExpectationsMet(job))
        {
            return WaitForCache;
        }
        var now = Clock.GetUtcNow();
        var pods = OwnedPods(job);
        var succeeded = pods.Count(p => p.Str("status", "phase") == "Succeeded");
        var failed = pods.Count(p => p.Str("status", "phase") == "Failed");
        var active = pods.Where(Pods.IsActive).ToList();
        var completions = (int)(job.OptionalInt("spec", "completions") ?? 1);
        var parallelism = (int)(job.OptionalInt("spec", "parallelism") ?? 1);
        var backoffLimit = job.OptionalInt("spec", "backoffLimit") ?? 6;
        var conditions = (job.At("status", "conditions") as JsonArray)?.Clone();
        var finished = conditions?.OfType<JsonObject>().Any(c => c.Str("type") is "Complete" or "Failed" && c.Str("status") == "True") == true;
        var status = job.Obj("status")?.Clone() ?? [];
        status["startTime"] ??= Json.Timestamp(now);
        if (!finished && !job.Bool("spec", "suspend"))
        {
            if (failed > backoffLimit)
            {
                foreach (var pod in active)
                {
                    await DeletePodAsync(job, pod, ct);
                }
                active.Clear();
                conditions = CoreConditions.Set(conditions, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now, "lastProbeTime");
                conditions = CoreConditions.Set(conditions, "Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now, "lastProbeTime");
                await Events.WarningAsync(job, Component, "BackoffLimitExceeded", "Job has reached the specified backoff limit", ct);
            }
            else if (succeeded >= completions)
            {
                conditions = CoreConditions.Set(conditions, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now, "lastProbeTime");
                conditions = CoreConditions.Set(conditions, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now, "lastProbeTime");
                status["completionTime"] = Json.Timestamp(now);
                await Events.NormalAsync(job, Component, "Completed", "Job completed", ct);
            }
            else
            {
                var wanted = Math.Min(parallelism, completions - succeeded) - active.Count;
                for (var i = 0; i < wanted; i++)
                {
                    await CreatePodAsync(job, NewPod(job), ct);
                }
            }
        }
        status["active"] = active.Count;
        status["succeeded"] = succeeded;
        status["failed"] = failed;
        status["ready"] = active.Count(Pods.IsReady);
        status["terminating"] = 0;
        if (conditions is not null)
        {
            status["conditions"] = conditions;
        }
        await StatusWriter.WriteAsync(Client, Resource, job, OmitZero(status, "ready", "terminating"), ct);
        return ReconcileResult.Done;
    }

    private static JsonObject NewPod(JsonObject job)
    {
        var uid = job.Str("metadata", "uid");
        var name = job.Str("metadata", "name");
        var pod = Pods.FromTemplate(job, job.Obj("spec", "template") ?? [], null, new Dictionary<string, string>
        {
            ["batch.kubernetes.io/controller-uid"] = uid,
            ["batch.kubernetes.io/job-name"] = name,
            ["controller-uid"] = uid,
            ["job-name"] = name,
        });
        var metadata = (JsonObject)pod["metadata"]!;
        var annotations = metadata.Child("annotations");
        foreach (var key in new[] { SimulationAnnotations.RunDuration, SimulationAnnotations.Fail })
        {
            if (job.Str("metadata", "annotations", key) is { Length: > 0 } value && annotations[key] is null)
            {
                annotations[key] = value;
            }
        }
        return pod;
    }
}
