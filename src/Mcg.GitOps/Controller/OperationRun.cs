using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Delivery;
using Mcg.GitOps.Diff;
using Mcg.GitOps.Health;
using Mcg.GitOps.Sync;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.GitOps.Controller;

/// <summary>
/// One sync operation of one application, from <c>operationState: Running</c> to its end: compare at the operation's
/// revision, plan, run (with retries), then record the result and the history entry.
/// </summary>
public sealed class OperationRun(IKubeClient client, AppComparer comparer, HealthAssessor health,
    ApplicationControllerOptions options, ILoggerFactory loggers, TimeProvider clock, RemoteTarget? remote = null)
{
    /// <summary>Runs the operation to its end; returns the final <c>status.operationState</c>.</summary>
    public async Task<JsonObject> ExecuteAsync(JsonObject app, ApplicationSpec spec, SyncOperation op, IEnumerable<(string, string)> previouslyManaged, CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        var state = new JsonObject
        {
            ["operation"] = op.Raw.DeepClone(),
            ["phase"] = "Running",
            ["message"] = "",
            ["startedAt"] = AppStatus.Timestamp(startedAt),
        };
        await PatchAsync(app, new JsonObject { ["operation"] = null, ["status"] = new JsonObject { ["operationState"] = state.DeepClone() } }, CancellationToken.None);

        var retry = RetryFrom(op, spec);
        SyncResult result;
        IReadOnlyList<string> revisions = [];
        var sources = op.Source is not null ? [op.Source] : spec.Sources;
        var attempt = 0;
        while (true)
        {
            try
            {
                (result, revisions) = remote is null
                    ? await AttemptAsync(app, spec, op, sources, previouslyManaged, state, ct)
                    : await new RemoteSync(remote.Destinations, clock, options.WavePollInterval).AttemptAsync(app, spec, op, sources, remote.Cluster,
                        await ProjectAsync(app, spec, ct), async (message, partial) =>
                        {
                            state["message"] = message;
                            state["syncResult"] = new JsonObject { ["resources"] = new JsonArray(partial.Select(r => (JsonNode)r.ToJson()).ToArray()) };
                            await PatchAsync(app, new JsonObject { ["status"] = new JsonObject { ["operationState"] = state.DeepClone() } }, CancellationToken.None);
                        }, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                result = new SyncResult(OperationPhase.Failed, "Operation terminated", []);
                break;
            }
            catch (ComparisonException e)
            {
                result = new SyncResult(OperationPhase.Error, $"ComparisonError: {e.Message}", []);
            }
            catch (KubeApiException e)
            {
                result = new SyncResult(OperationPhase.Error, e.Status?.Message ?? e.Message, []);
            }
            if (result.Phase == OperationPhase.Succeeded || retry is null || attempt >= retry.Limit && retry.Limit >= 0)
            {
                break;
            }
            var delay = retry.Delay(attempt);
            attempt++;
            state["retryCount"] = attempt;
            state["message"] = $"{result.Message}. Retrying attempt #{attempt} at {AppStatus.Timestamp(clock.GetUtcNow() + delay)}.";
            await PatchAsync(app, new JsonObject { ["status"] = new JsonObject { ["operationState"] = state.DeepClone() } }, CancellationToken.None);
            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                result = new SyncResult(OperationPhase.Failed, "Operation terminated", []);
                break;
            }
        }

        var finishedAt = clock.GetUtcNow();
        state["phase"] = result.Phase.ToString();
        state["message"] = result.Message;
        state["finishedAt"] = AppStatus.Timestamp(finishedAt);
        var syncResult = new JsonObject { ["resources"] = new JsonArray(result.Resources.Select(r => (JsonNode)r.ToJson()).ToArray()) };
        AppStatus.SetRevisions(syncResult, spec, revisions);
        if (spec.MultiSource && op.Source is null)
        {
            syncResult["sources"] = new JsonArray(sources.Select(s => (JsonNode)s.ToJson()).ToArray());
        }
        else
        {
            syncResult["source"] = sources[0].ToJson();
        }
        state["syncResult"] = syncResult;
        var status = new JsonObject { ["operationState"] = state };
        if (result.Phase == OperationPhase.Succeeded && !op.DryRun)
        {
            status["history"] = History(app, spec, revisions, sources, op, startedAt, finishedAt);
        }
        await PatchAsync(app, new JsonObject { ["status"] = status }, CancellationToken.None);
        return state;
    }

    private async Task<(SyncResult, IReadOnlyList<string>)> AttemptAsync(JsonObject app, ApplicationSpec spec, SyncOperation op,
        IReadOnlyList<ApplicationSource> sources, IEnumerable<(string, string)> previouslyManaged, JsonObject state, CancellationToken ct)
    {
        var comparison = await comparer.CompareAsync(app, spec, sources, op.Revision, previouslyManaged, ct);
        var syncOptions = spec.SyncPolicy.Options.Union(op.SyncOptions).ToHashSet();
        if (syncOptions.Contains("CreateNamespace=true") && spec.Destination.Namespace.Length > 0
            && await client.GetAsync(ResourceRef.Namespaces, null, spec.Destination.Namespace, ct) is null)
        {
            await client.ApplyAsync(ResourceRef.Namespaces, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = spec.Destination.Namespace },
            }, new ApplyOptions(AppComparer.FieldManager), ct);
        }
        var project = await ProjectAsync(app, spec, ct);
        foreach (var t in comparison.Targets)
        {
            if (project.CheckResource(t.Resource.Group, t.Resource.Kind, t.Resource.Namespaced) is { } denied)
            {
                return (new SyncResult(OperationPhase.Failed, denied, []), comparison.Revisions);
            }
        }
        bool Selected(PlannedObject p) => op.Resources is null || op.Resources.Any(r =>
            r.Group == p.Resource.Group && r.Kind == p.Resource.Kind && r.Name == p.Object.Name() && (r.Namespace is null || r.Namespace == (p.Object.Namespace() ?? "")));
        var live = comparison.Resources.Where(r => !r.RequiresPruning).ToDictionary(r => r.Planned, r => r.Live);
        var tasks = SyncPlanner.Plan(comparison.Targets.Where(Selected), p => live.GetValueOrDefault(p), comparison.Prunable.Where(Selected));
        var ignore = IgnoreDifference.FromApplicationSpec(spec.IgnoreDifferences);
        var runner = new SyncRunner(client, (_, obj) => WaveHealthOf(obj), loggers.CreateLogger<SyncRunner>());
        var runOptions = new SyncRunOptions
        {
            FieldManager = AppComparer.FieldManager,
            Prune = op.Prune,
            DryRun = op.DryRun,
            Replace = syncOptions.Contains("Replace=true"),
            ApplyOutOfSyncOnly = syncOptions.Contains("ApplyOutOfSyncOnly=true"),
            PruneLast = syncOptions.Contains("PruneLast=true"),
            PrunePropagation = syncOptions.FirstOrDefault(o => o.StartsWith("PrunePropagationPolicy=", StringComparison.Ordinal))?.Split('=')[1] ?? "Foreground",
            PollInterval = options.WavePollInterval,
        };
        var result = await runner.RunAsync(tasks, runOptions, t => t.Live is not null && AppComparer.IsSynced(t.Target!, t.Live, ignore),
            async partial =>
            {
                state["message"] = $"waiting for completion of {partial.Count} task(s)";
                state["syncResult"] = new JsonObject { ["resources"] = new JsonArray(partial.Select(r => (JsonNode)r.ToJson()).ToArray()) };
                await PatchAsync(app, new JsonObject { ["status"] = new JsonObject { ["operationState"] = state.DeepClone() } }, CancellationToken.None);
            }, ct);
        return (result, comparison.Revisions);
    }

    private async Task<AppProjectPolicy> ProjectAsync(JsonObject app, ApplicationSpec spec, CancellationToken ct) =>
        new(await client.GetAsync(ApplicationController.AppProjects, options.ControlNamespace, spec.Project, ct)
            ?? await client.GetAsync(ApplicationController.AppProjects, app.Namespace(), spec.Project, ct)
            ?? throw new ComparisonException($"Application referencing project {spec.Project} which does not exist"));

    private WaveHealth WaveHealthOf(JsonObject obj) => WaveHealthOf(health.Assess(obj));

    /// <summary>What a wave waits on: Progressing keeps waiting; no check, Healthy or Suspended goes on; Degraded fails a hook.</summary>
    internal static WaveHealth WaveHealthOf(HealthStatus? status) => status?.Status switch
    {
        null or HealthStatusCode.Healthy or HealthStatusCode.Suspended => WaveHealth.Healthy,
        HealthStatusCode.Degraded => WaveHealth.Degraded,
        _ => WaveHealth.Progressing,
    };

    private static RetryPolicy? RetryFrom(SyncOperation op, ApplicationSpec spec)
    {
        if (op.Raw["retry"] is JsonObject r && r["limit"] is not null)
        {
            return SyncPolicy.Parse(new JsonObject { ["retry"] = r.DeepClone() }).Retry;
        }
        return spec.SyncPolicy.Retry;
    }

    private static JsonArray History(JsonObject app, ApplicationSpec spec, IReadOnlyList<string> revisions, IReadOnlyList<ApplicationSource> sources,
        SyncOperation op, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var history = (app["status"]?["history"] as JsonArray)?.DeepClone() as JsonArray ?? [];
        var nextId = history.OfType<JsonObject>().Select(h => h["id"]?.GetValue<long>() ?? 0).DefaultIfEmpty(-1).Max() + 1;
        var entry = new JsonObject
        {
            ["id"] = nextId,
            ["deployedAt"] = AppStatus.Timestamp(finishedAt),
            ["deployStartedAt"] = AppStatus.Timestamp(startedAt),
            ["initiatedBy"] = op.InitiatedBy.DeepClone(),
        };
        AppStatus.SetRevisions(entry, spec, revisions);
        if (spec.MultiSource && op.Source is null)
        {
            entry["sources"] = new JsonArray(sources.Select(s => (JsonNode)s.ToJson()).ToArray());
        }
        else
        {
            entry["source"] = sources[0].ToJson();
        }
        history.Add(entry);
        while (history.Count > Math.Max(spec.RevisionHistoryLimit, 1))
        {
            history.RemoveAt(0);
        }
        return history;
    }

    private Task PatchAsync(JsonObject app, JsonObject patch, CancellationToken ct) =>
        client.PatchAsync(ApplicationController.Applications, app.Namespace(), app.Name()!, PatchType.Merge, patch, null, ct);
}

/// <summary>The managed cluster an operation delivers to, and how.</summary>
public sealed record RemoteTarget(RemoteDestinations Destinations, string Cluster);
