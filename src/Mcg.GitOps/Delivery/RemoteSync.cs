using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Sync;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Delivery;

/// <summary>
/// One sync attempt of an application on a managed cluster, with Argo CD's phases, waves and hooks. The local sync
/// planner orders the tasks; each step (phase and wave) grows the app's one ManifestWork — new versions of that wave's
/// resources, its hooks, its prunes — and the next step starts only when the cluster reports the step applied, its
/// resources healthy and its hooks completed (health and completion read from the work's status feedback). A failed
/// step stops the sync (later waves are not delivered) and runs the SyncFail hooks. Hooks whose delete policy says so
/// leave the work again, so the agent deletes them.
/// </summary>
public sealed class RemoteSync(RemoteDestinations remote, TimeProvider clock, TimeSpan pollInterval)
{
    private const string BeforeHookCreation = "BeforeHookCreation";

    public async Task<(SyncResult Result, IReadOnlyList<string> Revisions)> AttemptAsync(JsonObject app, ApplicationSpec spec, SyncOperation op,
        IReadOnlyList<ApplicationSource> sources, string cluster, AppProjectPolicy project, Func<string, IReadOnlyList<ResourceResult>, Task> progress, CancellationToken ct)
    {
        var plan = await remote.Comparer.PlanAsync(app, spec, sources, op.Revision, ct);
        foreach (var t in plan.Targets.Concat(plan.Hooks))
        {
            if (project.CheckResource(t.Resource.Group, t.Resource.Kind, t.Resource.Namespaced) is { } denied)
            {
                return (new SyncResult(OperationPhase.Failed, denied, []), plan.Revisions);
            }
        }
        var key = new RemoteAppKey(app.Namespace() ?? "", app.Name()!);
        var before = remote.Delivery.Observe(cluster, key);
        // As Argo CD, a selective sync (self-heal included) runs no hooks.
        var hooks = op.Resources is null ? plan.Hooks.Select(Named).ToList() : [];
        var prunable = RemoteComparer.Retained(plan, before).Select(m =>
        {
            var gvk = m.Object.Gvk();
            return new PlannedObject(new ResourceRef(gvk.Group, gvk.Version, m.Resource, gvk.Kind, m.Object.Namespace() is not null), m.Object);
        }).ToList();
        var tasks = SyncPlanner.Plan(plan.Targets.Concat(hooks), _ => null, prunable);
        var run = new Run(remote, clock, pollInterval, op, cluster, key, plan, string.Join(",", plan.Revisions), progress);
        var result = await run.ExecuteAsync(tasks, before, hooks, spec.SyncPolicy.Options.Union(op.SyncOptions).Contains("PruneLast=true"), ct);
        return (result, plan.Revisions);
    }

    /// <summary>A hook with <c>generateName</c> gets its name now: a new object each sync, as the API server would name it.</summary>
    private static PlannedObject Named(PlannedObject hook)
    {
        if (hook.Object.Name() is not null)
        {
            return hook;
        }
        var named = (JsonObject)hook.Object.DeepClone();
        var meta = named.Metadata();
        meta["name"] = meta.GetString("generateName") + Guid.NewGuid().ToString("N")[..5];
        meta.Remove("generateName");
        return hook with { Object = named };
    }

    /// <summary>The state of one attempt: the manifests the work holds now, and what each task did.</summary>
    private sealed class Run(RemoteDestinations remote, TimeProvider clock, TimeSpan pollInterval, SyncOperation op, string cluster, RemoteAppKey key,
        RemotePlan plan, string revision, Func<string, IReadOnlyList<ResourceResult>, Task> progress)
    {
        private readonly Dictionary<string, RemoteManifest> _work = [];
        private readonly HashSet<string> _delivered = [];
        private readonly List<ResourceResult> _results = [];

        public async Task<SyncResult> ExecuteAsync(IReadOnlyList<SyncTask> tasks, RemoteObservation? before, IReadOnlyList<PlannedObject> hooks, bool pruneLast, CancellationToken ct)
        {
            if (!op.DryRun && Start(before, hooks))
            {
                // Hooks of an earlier sync that this one re-creates (BeforeHookCreation) or no longer has go first.
                if (await PublishAsync(ct) is { } stuck)
                {
                    return new SyncResult(OperationPhase.Failed, stuck, _results);
                }
            }
            string? failure = null;
            foreach (var step in SyncPlanner.Steps(tasks.Where(t => t.Phase != SyncPhase.SyncFail), pruneLast))
            {
                failure = await StepAsync(step, ct);
                if (failure is not null)
                {
                    break;
                }
            }
            if (failure is null)
            {
                return new SyncResult(OperationPhase.Succeeded,
                    op.DryRun ? "successfully synced (dry run)" : $"successfully synced (all tasks run, delivered to cluster {cluster})", _results);
            }
            foreach (var step in SyncPlanner.Steps(tasks.Where(t => t.Phase == SyncPhase.SyncFail), pruneLast))
            {
                if (await StepAsync(step, ct) is not null)
                {
                    break;
                }
            }
            return new SyncResult(OperationPhase.Failed, failure, _results);
        }

        /// <summary>Takes over what the work holds; returns whether earlier hooks were dropped (to be deleted before the steps).</summary>
        private bool Start(RemoteObservation? before, IReadOnlyList<PlannedObject> hooks)
        {
            var kept = hooks.Where(h => !SyncPlanner.HookDeletePoliciesOf(h.Object).Contains(BeforeHookCreation)).Select(h => RemoteComparer.KeyOf(h.Object)).ToHashSet();
            var targets = plan.Targets.ToDictionary(t => RemoteComparer.KeyOf(t.Object));
            var dropped = false;
            foreach (var m in before?.Delivered ?? [])
            {
                var k = RemoteComparer.KeyOf(m);
                var gvk = m.Gvk();
                if (plan.IsCreatedNamespace(gvk.Group, gvk.Kind, m.Name()))
                {
                    continue;
                }
                if (SyncTask.HookTypesOf(m).Count > 0 && op.Resources is null && !kept.Contains(k))
                {
                    dropped = true;
                    continue;
                }
                _work[k] = targets.TryGetValue(k, out var t)
                    ? new RemoteManifest(m, t.Resource.Resource, remote.Comparer.ManifestOf(t).FeedStatus)
                    : new RemoteManifest(m, RemoteComparer.GuessResource(gvk.Kind), SyncTask.HookTypesOf(m).Count > 0);
            }
            return dropped;
        }

        /// <summary>Delivers one step and waits for it; returns why it failed, or null.</summary>
        private async Task<string?> StepAsync(IReadOnlyList<SyncTask> step, CancellationToken ct)
        {
            var waiting = new List<(SyncTask Task, string Key, int Result)>();
            foreach (var task in step)
            {
                var r = task.Resource;
                var lower = $"{r.Kind.ToLowerInvariant()}{(r.Group.Length > 0 ? "." + r.Group : "")}/{task.Name}";
                if (task.IsPrune)
                {
                    if (!op.Prune || task.HasObjectOption("Prune=false"))
                    {
                        _results.Add(Result(task, "PruneSkipped", "ignored (requires pruning)"));
                        continue;
                    }
                    _work.Remove(RemoteComparer.KeyOf(task.Live!));
                    _results.Add(Result(task, "Pruned", op.DryRun ? "pruned (dry run)" : "pruned"));
                    continue;
                }
                var k = RemoteComparer.KeyOf(task.Target!);
                if (task.IsHook)
                {
                    if (op.DryRun)
                    {
                        _results.Add(Result(task, "Synced", "hook (dry run)", "Succeeded"));
                        continue;
                    }
                    // A named hook kept from an earlier sync (no BeforeHookCreation) is not created again, as in Argo CD.
                    var exists = _work.ContainsKey(k);
                    _work[k] = remote.Comparer.ManifestOf(new PlannedObject(r, task.Target!)) with { FeedStatus = true };
                    _results.Add(Result(task, "Synced", $"{lower} {(exists ? "exists" : "created")} on cluster {cluster}", "Running"));
                }
                else
                {
                    _work[k] = remote.Comparer.ManifestOf(new PlannedObject(r, task.Target!));
                    _delivered.Add(k);
                    _results.Add(Result(task, "Synced", $"{lower} {(op.DryRun ? "delivered (dry run)" : $"delivered to cluster {cluster}")}"));
                }
                waiting.Add((task, k, _results.Count - 1));
            }
            if (op.DryRun)
            {
                return null;
            }
            if (await PublishAsync(ct, $"{step[0].Phase} wave {step[0].Wave}: waiting for cluster {cluster} to apply {waiting.Count} task(s)") is { } stuck)
            {
                return stuck;
            }
            var failed = waiting.Where(w => Reported(w.Key) is not { Applied: true }).ToList();
            foreach (var (task, k, index) in failed)
            {
                _results[index] = _results[index] with { Status = "SyncFailed", Message = Reported(k)?.Message ?? "not applied", HookPhase = task.IsHook ? "Failed" : null };
            }
            if (failed.Count > 0)
            {
                return $"one or more objects failed to apply on cluster {cluster}, reason: {string.Join("; ", failed.Select(f => $"{f.Task.Kind} {f.Task.Name}: {_results[f.Result].Message}"))}";
            }
            return await WaitForStepAsync(waiting, ct);
        }

        /// <summary>Waits until every resource of the step is healthy and every hook completed; deletes hooks as their policy says.</summary>
        private async Task<string?> WaitForStepAsync(List<(SyncTask Task, string Key, int Result)> pending, CancellationToken ct)
        {
            string? failure = null;
            var deleted = false;
            var shown = "";
            while (pending.Count > 0 && failure is null)
            {
                foreach (var (task, k, index) in pending.ToList())
                {
                    var reported = Reported(k);
                    var health = reported is null ? null : remote.Comparer.HealthOf(reported, task.Target!);
                    var state = reported is null ? WaveHealth.Progressing : OperationRun.WaveHealthOf(health);
                    if (state == WaveHealth.Progressing)
                    {
                        continue;
                    }
                    pending.Remove((task, k, index));
                    if (!task.IsHook)
                    {
                        continue;
                    }
                    var succeeded = state == WaveHealth.Healthy;
                    var message = health?.Message is { Length: > 0 } m ? m : succeeded ? "hook completed" : "hook failed";
                    _results[index] = _results[index] with { HookPhase = succeeded ? "Succeeded" : "Failed", Status = succeeded ? "Synced" : "SyncFailed", Message = message };
                    var policies = task.HookDeletePolicies;
                    if (succeeded && policies.Contains("HookSucceeded") || !succeeded && policies.Contains("HookFailed"))
                    {
                        _work.Remove(k);
                        deleted = true;
                    }
                    if (!succeeded)
                    {
                        failure = $"{task.Phase} hook {task.Kind} {task.Namespace}/{task.Name} failed: {message}";
                        break;
                    }
                }
                if (pending.Count > 0 && failure is null)
                {
                    // Argo CD's messages; written only when they change (thousands of apps may be syncing at once).
                    var (first, _, _) = pending[0];
                    var what = $"{(first.Resource.Group.Length > 0 ? first.Resource.Group + "/" : "")}{first.Kind}/{first.Name}{(pending.Count > 1 ? $" and {pending.Count - 1} more" : "")}";
                    var message = first.IsHook ? $"waiting for completion of hook {what}" : $"waiting for healthy state of {what}";
                    if (message != shown)
                    {
                        shown = message;
                        await progress($"{message} on cluster {cluster}", _results);
                    }
                    await Task.Delay(pollInterval, clock, ct);
                }
            }
            if (deleted && await PublishAsync(ct) is { } stuck)
            {
                return failure ?? stuck;
            }
            return failure;
        }

        /// <summary>
        /// Publishes what the work holds now and waits until the cluster reported on exactly that: the hash (the app's
        /// desired hash once every target is at its Git version, else one naming this intermediate content) and the
        /// manifests listed. Returns a failure message on timeout.
        /// </summary>
        private async Task<string?> PublishAsync(CancellationToken ct, string? waiting = null)
        {
            var manifests = new List<RemoteManifest>();
            if (plan.NamespaceManifest is { } ns)
            {
                manifests.Add(new RemoteManifest(ns, "namespaces", false));
            }
            manifests.AddRange(_work.Values
                .OrderBy(m => SyncTask.WaveOf(m.Object)).ThenBy(m => KindOrder.Of(m.Object.Gvk().Kind)).ThenBy(m => m.Object.Name(), StringComparer.Ordinal));
            var hash = _delivered.Count == plan.Targets.Count ? plan.DesiredHash : "partial-" + RemoteComparer.Hash(manifests.Select(m => m.Object));
            await remote.Delivery.PublishAsync(new RemotePublication(cluster, key, revision, hash, manifests), ct);
            var keys = manifests.Select(m => RemoteComparer.KeyOf(m.Object)).ToHashSet();
            var deadline = clock.GetUtcNow() + remote.Options.ApplyTimeout;
            while (true)
            {
                if (remote.Delivery.Observe(cluster, key) is { Current: true } observed && observed.DesiredHash == hash
                    && observed.Delivered.Select(RemoteComparer.KeyOf).ToHashSet().SetEquals(keys))
                {
                    return null;
                }
                if (clock.GetUtcNow() > deadline)
                {
                    return $"timed out after {remote.Options.ApplyTimeout.TotalSeconds:0}s waiting for cluster {cluster} to apply the delivered manifests";
                }
                if (waiting is not null)
                {
                    await progress(waiting, _results);
                    waiting = null;
                }
                await Task.Delay(pollInterval, clock, ct);
            }
        }

        private RemoteResource? Reported(string k) =>
            remote.Delivery.Observe(cluster, key)?.Resources.FirstOrDefault(r => RemoteComparer.KeyOf(r) == k);

        private static ResourceResult Result(SyncTask task, string status, string message, string? hookPhase = null) =>
            new(task.Resource.Group, task.Resource.Version, task.Kind, task.Namespace, task.Name, status, message, task.Phase,
                task.IsHook ? task.Phase.ToString() : null, task.IsHook ? hookPhase : null);
    }
}
