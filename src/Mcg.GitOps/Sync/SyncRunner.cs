using System.Diagnostics;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.GitOps.Sync;

/// <summary>
/// Runs a sync plan: phase by phase, wave by wave, applying (server-side apply, or replace), creating hooks and
/// pruning, and waiting for each wave to be healthy (hooks: completed) before the next. A failure stops the sync and
/// runs the SyncFail hooks.
/// </summary>
public sealed class SyncRunner(IKubeClient client, Func<ResourceRef, JsonObject, WaveHealth> health, ILogger<SyncRunner> logger, SyncMetrics? metrics = null)
{
    public async Task<SyncResult> RunAsync(IReadOnlyList<SyncTask> tasks, SyncRunOptions options, Func<SyncTask, bool> isSynced, Func<IReadOnlyList<ResourceResult>, Task>? progress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await RunTasksAsync(tasks, options, isSynced, progress, ct);
        (metrics ?? SyncMetrics.Shared).Record(result, options.DryRun, Stopwatch.GetElapsedTime(started));
        return result;
    }

    private async Task<SyncResult> RunTasksAsync(IReadOnlyList<SyncTask> tasks, SyncRunOptions options, Func<SyncTask, bool> isSynced, Func<IReadOnlyList<ResourceResult>, Task>? progress, CancellationToken ct)
    {
        var results = new List<ResourceResult>();
        if (!options.DryRun && await DryRunAsync(tasks, options, ct) is { } rejected)
        {
            // As gitops-engine: every object is validated by a server dry run first, so a rejected one applies nothing.
            return new SyncResult(OperationPhase.Failed, $"one or more objects failed to apply (dry run), reason: {rejected.Message}", [rejected]);
        }
        var failure = await RunPhasesAsync(tasks.Where(t => t.Phase != SyncPhase.SyncFail).ToList(), options, isSynced, results, progress, ct);
        if (failure is null)
        {
            return new SyncResult(OperationPhase.Succeeded, options.DryRun ? "successfully synced (dry run)" : "successfully synced (all tasks run)", results);
        }
        var failHooks = tasks.Where(t => t.Phase == SyncPhase.SyncFail).ToList();
        if (failHooks.Count > 0)
        {
            await RunPhasesAsync(failHooks, options, isSynced, results, progress, ct);
        }
        return new SyncResult(OperationPhase.Failed, failure, results);
    }

    /// <summary>Dry-runs every apply whose kind the server already serves; returns the first rejection.</summary>
    private async Task<ResourceResult?> DryRunAsync(IReadOnlyList<SyncTask> tasks, SyncRunOptions options, CancellationToken ct)
    {
        var served = new Dictionary<ResourceRef, bool>();
        var candidates = new List<SyncTask>();
        foreach (var task in tasks.Where(t => !t.IsPrune && !t.IsHook))
        {
            if (!served.TryGetValue(task.Resource, out var ok))
            {
                try
                {
                    ok = await client.ResolveAsync(task.Resource.Gvk, ct) == task.Resource;
                }
                catch (NoKindMatchException)
                {
                    ok = false; // its CRD comes with this sync
                }
                served[task.Resource] = ok;
            }
            if (ok)
            {
                candidates.Add(task);
            }
        }
        var rejections = new ResourceResult?[candidates.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, candidates.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var (result, _) = await ExecuteAsync(candidates[i], options with { DryRun = true }, _ => false, token);
            rejections[i] = result.Status == "SyncFailed" ? result : null;
        });
        return rejections.FirstOrDefault(r => r is not null);
    }

    private async Task<string?> RunPhasesAsync(List<SyncTask> tasks, SyncRunOptions options, Func<SyncTask, bool> isSynced, List<ResourceResult> results, Func<IReadOnlyList<ResourceResult>, Task>? progress, CancellationToken ct)
    {
        foreach (var step in SyncPlanner.Steps(tasks, options.PruneLast))
        {
            var applied = new List<(SyncTask Task, JsonObject Live)>();
            // Within a step, objects of one kind go in parallel; kinds keep their dependency order.
            foreach (var kindGroup in step.GroupBy(t => KindOrder.Of(t.Kind)))
            {
                ct.ThrowIfCancellationRequested();
                var batch = kindGroup.ToList();
                var outcomes = new (ResourceResult Result, JsonObject? Live)[batch.Count];
                await Parallel.ForEachAsync(Enumerable.Range(0, batch.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
                    async (i, token) => outcomes[i] = await ExecuteAsync(batch[i], options, isSynced, token));
                for (var i = 0; i < batch.Count; i++)
                {
                    results.Add(outcomes[i].Result);
                    if (outcomes[i].Live is { } live && !options.DryRun)
                    {
                        applied.Add((batch[i], live));
                    }
                }
                if (outcomes.FirstOrDefault(o => o.Result.Status == "SyncFailed").Result is { } failed)
                {
                    return $"one or more objects failed to apply, reason: {failed.Message}";
                }
            }
            if (progress is not null)
            {
                await progress(results);
            }
            var failure = await WaitForWaveAsync(applied, results, options, ct);
            if (failure is not null)
            {
                return failure;
            }
        }
        return null;
    }

    private async Task<(ResourceResult Result, JsonObject? Live)> ExecuteAsync(SyncTask task, SyncRunOptions options, Func<SyncTask, bool> isSynced, CancellationToken ct)
    {
        var r = task.Resource;
        ResourceResult Result(string status, string message, string? hookPhase = null) =>
            new(r.Group, r.Version, r.Kind, task.Namespace, task.Name, status, message, task.Phase,
                task.IsHook ? task.Phase.ToString() : null, task.IsHook ? hookPhase ?? "Running" : null);
        var lower = $"{r.Kind.ToLowerInvariant()}{(r.Group.Length > 0 ? "." + r.Group : "")}/{task.Name}";
        try
        {
            if (task.IsPrune)
            {
                if (!options.Prune || task.HasObjectOption("Prune=false"))
                {
                    return (Result("PruneSkipped", "ignored (requires pruning)"), null);
                }
                if (!options.DryRun)
                {
                    await client.DeleteAsync(r, NullIfEmpty(task.Namespace), task.Name,
                        new DeleteOptions { PropagationPolicy = Enum.Parse<PropagationPolicy>(options.PrunePropagation, ignoreCase: true) }, ct);
                }
                return (Result("Pruned", options.DryRun ? "pruned (dry run)" : "pruned"), null);
            }
            if (task.IsHook)
            {
                return await CreateHookAsync(task, options, Result, ct);
            }
            if (options.ApplyOutOfSyncOnly && task.Live is not null && isSynced(task))
            {
                return (Result("Synced", $"{lower} unchanged"), task.Live);
            }
            var target = (JsonObject)task.Target!.DeepClone();
            JsonObject live;
            if (options.Replace && task.Live is not null)
            {
                target.Metadata()["resourceVersion"] = task.Live.ResourceVersion();
                live = await client.UpdateAsync(r, target, new WriteOptions { FieldManager = options.FieldManager, DryRun = options.DryRun }, ct);
            }
            else
            {
                live = await client.ApplyAsync(r, target, new ApplyOptions(options.FieldManager) { Force = true, DryRun = options.DryRun }, ct);
            }
            var verb = task.Live is null ? "created" : "configured";
            return (Result("Synced", $"{lower} {(options.DryRun ? verb + " (dry run)" : verb)}"), live);
        }
        catch (KubeApiException e)
        {
            logger.LogWarning("sync of {Task} failed: {Message}", task, e.Message);
            return (Result("SyncFailed", e.Status?.Message ?? e.Message), null);
        }
    }

    private async Task<(ResourceResult, JsonObject?)> CreateHookAsync(SyncTask task, SyncRunOptions options, Func<string, string, string?, ResourceResult> result, CancellationToken ct)
    {
        var r = task.Resource;
        var hook = (JsonObject)task.Target!.DeepClone();
        if (options.DryRun)
        {
            return (result("Synced", "hook (dry run)", "Succeeded"), null);
        }
        if (task.HookDeletePolicies.Contains("BeforeHookCreation") && hook.Name() is { } name)
        {
            await client.DeleteAsync(r, NullIfEmpty(task.Namespace), name, new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground }, ct);
            await WaitGoneAsync(r, task.Namespace, name, ct);
        }
        var created = await client.CreateAsync(r, hook, new WriteOptions { FieldManager = options.FieldManager }, ct);
        return (result("Synced", $"{r.Kind.ToLowerInvariant()}/{created.Name()} created", "Running"), created);
    }

    /// <summary>Waits until every resource of the wave is healthy and every hook has completed; a failed hook fails the sync.</summary>
    private async Task<string?> WaitForWaveAsync(List<(SyncTask Task, JsonObject Live)> applied, List<ResourceResult> results, SyncRunOptions options, CancellationToken ct)
    {
        var pending = applied.ToList();
        var first = true;
        while (pending.Count > 0)
        {
            foreach (var (task, live) in pending.ToList())
            {
                // The object as the apply returned it answers for kinds without health (most); only others are fetched again.
                var current = first && !task.IsHook && health(task.Resource, live) != WaveHealth.Progressing
                    ? live
                    : await client.GetAsync(task.Resource, NullIfEmpty(live.Namespace()), live.Name()!, ct);
                var state = current is null ? (task.IsHook ? WaveHealth.Degraded : WaveHealth.Progressing) : health(task.Resource, current);
                if (state == WaveHealth.Progressing)
                {
                    continue;
                }
                pending.Remove((task, live));
                if (!task.IsHook)
                {
                    continue;
                }
                var index = results.FindLastIndex(x => x.HookType is not null && x.Kind == task.Kind && x.Name == live.Name());
                var succeeded = state == WaveHealth.Healthy;
                if (index >= 0)
                {
                    results[index] = results[index] with { HookPhase = succeeded ? "Succeeded" : "Failed", Status = succeeded ? "Synced" : "SyncFailed" };
                }
                if (succeeded && task.HookDeletePolicies.Contains("HookSucceeded") || !succeeded && task.HookDeletePolicies.Contains("HookFailed"))
                {
                    await client.DeleteAsync(task.Resource, NullIfEmpty(live.Namespace()), live.Name()!, new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground }, ct);
                }
                if (!succeeded)
                {
                    return $"{task.Phase} hook {task.Kind} {live.Namespace()}/{live.Name()} failed";
                }
            }
            first = false;
            if (pending.Count > 0)
            {
                await Task.Delay(options.PollInterval, ct);
            }
        }
        return null;
    }

    private async Task WaitGoneAsync(ResourceRef r, string ns, string name, CancellationToken ct)
    {
        while (await client.GetAsync(r, NullIfEmpty(ns), name, ct) is not null)
        {
            await Task.Delay(100, ct);
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
