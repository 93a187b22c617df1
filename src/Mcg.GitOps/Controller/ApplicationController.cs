using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Delivery;
using Mcg.GitOps.Health;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.GitOps.Controller;

/// <summary>
/// The Argo CD application controller: a reconcile loop over Applications that compares Git with the cluster,
/// writes status, and runs sync operations (manual, automated, self-heal, rollback) in the background.
/// </summary>
public sealed class ApplicationController : IReconciler, IAsyncDisposable
{
    public static readonly ResourceRef Applications = ArgoCrds.Applications;
    public static readonly ResourceRef AppProjects = ArgoCrds.AppProjects;
    private const string RefreshAnnotation = "argocd.argoproj.io/refresh";

    /// <summary>Argo CD's cascading-delete finalizer: deleting the application deletes its resources first.</summary>
    public const string ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io";

    private readonly IKubeClient _client;
    private readonly ClusterCache _cache;
    private readonly AppComparer _comparer;
    private readonly HealthAssessor _health;
    private readonly ApplicationControllerOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, RunningOperation> _running = new();
    private readonly Informer _apps;
    private readonly Informer _projects;
    private readonly KubeController _controller;
    private readonly RemoteDestinations? _remote;
    private readonly ApplicationEvents _events;

    public ApplicationController(IKubeClient client, ClusterCache cache, AppComparer comparer, HealthAssessor health,
        ApplicationControllerOptions options, ILoggerFactory loggers, TimeProvider? clock = null, RemoteDestinations? remote = null)
    {
        _remote = remote;
        _events = new ApplicationEvents(new EventRecorder(client, clock ?? TimeProvider.System, loggers.CreateLogger<EventRecorder>()));
        _client = client;
        _cache = cache;
        _comparer = comparer;
        _health = health;
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ApplicationController>();
        _clock = clock ?? TimeProvider.System;
        // Nothing here or in the ApplicationSet controller (which shares this informer) reads managedFields of Applications.
        _apps = new Informer(client, Applications, new InformerOptions { Transform = InformerTransforms.StripManagedFields }, loggers.CreateLogger<Informer>());
        _projects = new Informer(client, AppProjects, new InformerOptions { Namespace = options.ControlNamespace }, loggers.CreateLogger<Informer>());
        _controller = new KubeController("applications", this, new ControllerOptions { Workers = options.Workers }, loggers.CreateLogger<KubeController>());
        _controller.Watch(_apps);
        _cache.TrackedObjectChanged += EnqueueByName;
        _projects.AddEventHandler(new InformerEventHandler
        {
            Added = _ => EnqueueAll(),
            Updated = (_, _) => EnqueueAll(),
            Deleted = _ => EnqueueAll(),
        });
        if (remote is not null)
        {
            remote.Delivery.Changed += key => _controller.Enqueue(ObjectKeys.KeyOf(key.Namespace, key.Name));
            remote.Clusters.Informer.AddEventHandler(new InformerEventHandler
            {
                Added = _ => EnqueueAll(),
                Updated = (_, _) => EnqueueAll(),
                Deleted = _ => EnqueueAll(),
            });
        }
    }

    /// <summary>The controller's Applications cache, for other controllers that read Applications (run by this controller).</summary>
    public Informer ApplicationsInformer => _apps;

    /// <summary>Installs the CRDs and the default project if missing, then runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await InstallAsync(_client, _options.ControlNamespace, ct);
        var informers = Task.WhenAll(_apps.RunAsync(ct), _projects.RunAsync(ct), _remote?.Clusters.Informer.RunAsync(ct) ?? Task.CompletedTask);
        await Task.WhenAll(_apps.WaitForSyncAsync(ct), _projects.WaitForSyncAsync(ct), _remote?.Clusters.Informer.WaitForSyncAsync(ct) ?? Task.CompletedTask,
            _remote?.Delivery.StartAsync(ct) ?? Task.CompletedTask);
        await Task.WhenAll(informers, _controller.RunAsync(ct));
    }

    /// <summary>The Argo CD CRDs, the control namespace and the <c>default</c> AppProject, as an Argo CD install brings them.</summary>
    public static async Task InstallAsync(IKubeClient client, string controlNamespace, CancellationToken ct)
    {
        await CustomResourceDefinitions.ApplyAndWaitAsync(client, ArgoCrds.All, "mcg-install", ct);
        if (await client.GetAsync(ResourceRef.Namespaces, null, controlNamespace, ct) is null)
        {
            await client.ApplyAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = controlNamespace } },
                new ApplyOptions("mcg-install"), ct);
        }
        if (await client.GetAsync(AppProjects, controlNamespace, "default", ct) is null)
        {
            await client.CreateAsync(AppProjects, ArgoCrds.DefaultProject(controlNamespace), null, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var op in _running.Values)
        {
            await op.Cancel.CancelAsync();
        }
        await Task.WhenAll(_running.Values.Select(r => r.Task.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var cached = _apps.GetByKey(key);
        if (cached is null)
        {
            if (_running.TryRemove(key, out var orphan))
            {
                await orphan.Cancel.CancelAsync();
            }
            // Gone without the cascading finalizer: as Argo CD, what it deployed stays where it is.
            await WithdrawAsync(key, keepCluster: null, cascade: false, ct);
            return ReconcileResult.Done;
        }
        var app = (JsonObject)cached.DeepClone();
        if (app.Metadata()["deletionTimestamp"] is not null)
        {
            return await FinalizeAsync(key, app, ct);
        }
        var operationRunning = _running.TryGetValue(key, out var running);
        if (running is not null)
        {
            if (app["status"]?["operationState"]?["phase"]?.GetValue<string>() == "Terminating")
            {
                await running.Cancel.CancelAsync();
            }
            if (!IsRemote(app))
            {
                return ReconcileResult.Done; // the operation reports itself and enqueues the app when done
            }
            // A managed cluster's sync waits on its cluster's reports wave by wave: the status keeps following them meanwhile (as Argo CD's).
        }
        if (app.Annotations().TryGetValue(RefreshAnnotation, out var refresh))
        {
            if (refresh == "hard")
            {
                _comparer.ForgetRenders();
            }
            await _client.PatchAsync(Applications, app.Namespace(), app.Name()!, PatchType.Merge,
                new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RefreshAnnotation] = null } } }, null, ct);
        }

        var now = _clock.GetUtcNow();
        ApplicationSpec? spec = null;
        try
        {
            spec = ApplicationSpec.Parse(app);
            var (policy, cluster) = Project(app, spec);
            await WithdrawAsync(key, cluster, app.Finalizers().Contains(ResourcesFinalizer), ct);
            var comparison = cluster is null
                ? await _comparer.CompareAsync(app, spec, spec.Sources, null, PreviouslyManaged(app), ct)
                : _remote!.Comparer.Compare(await _remote.Comparer.PlanAsync(app, spec, spec.Sources, null, ct),
                    _remote.Delivery.Observe(cluster, new RemoteAppKey(app.Namespace() ?? "", app.Name()!)));
            var conditions = ResourceConditions(app, policy, comparison, now);
            await WriteStatusAsync(app, AppStatus.FromComparison(spec, comparison, conditions), ct);
            if (operationRunning)
            {
                return ReconcileResult.Done;
            }

            if (app["operation"] is JsonObject operation)
            {
                StartOperation(key, app, spec, SyncOperation.Parse(operation), cluster);
            }
            else if (app["status"]?["operationState"] is JsonObject { } interrupted && interrupted["phase"]?.GetValue<string>() == "Running"
                && interrupted["operation"] is JsonObject unfinished)
            {
                // The controller stopped during this operation (a restart): resume it, as Argo CD does.
                StartOperation(key, app, spec, SyncOperation.Parse(unfinished), cluster);
            }
            else if (ShouldAutoSync(app, spec, comparison, conditions) is { } auto)
            {
                if (cluster is not null && SelfHealBackoff(app, auto, now) is { } wait)
                {
                    return ReconcileResult.After(wait);
                }
                StartOperation(key, app, spec, SyncOperation.Parse(auto), cluster);
            }
        }
        catch (InvalidSpecException e)
        {
            await WriteStatusAsync(app, AppStatus.Unknown(spec, [AppStatus.Condition("InvalidSpecError", e.Message, now)], app["status"]?["resources"]), ct);
        }
        catch (ComparisonException e)
        {
            await WriteStatusAsync(app, AppStatus.Unknown(spec, [AppStatus.Condition("ComparisonError", e.Message, now)], app["status"]?["resources"]), ct);
        }
        return ReconcileResult.After(_options.PollInterval);
    }

    private bool IsRemote(JsonObject app)
    {
        try
        {
            return _remote is not null && !ApplicationSpec.Parse(app).Destination.IsInCluster;
        }
        catch (InvalidSpecException)
        {
            return false;
        }
    }

    /// <summary>The project's policy and the managed cluster the app goes to (null: the hub itself).</summary>
    private (AppProjectPolicy Policy, string? Cluster) Project(JsonObject app, ApplicationSpec spec)
    {
        var project = _projects.Get(_options.ControlNamespace, spec.Project) ?? _projects.Get(app.Namespace(), spec.Project)
            ?? throw new InvalidSpecException($"Application referencing project {spec.Project} which does not exist");
        var policy = new AppProjectPolicy(project);
        foreach (var src in spec.Sources)
        {
            if (policy.CheckSource(src.RepoUrl) is { } denied)
            {
                throw new InvalidSpecException(denied);
            }
        }
        string? cluster = null;
        var server = spec.Destination.Server ?? ApplicationDestination.InClusterServer;
        if (!spec.Destination.IsInCluster)
        {
            if (_remote is null)
            {
                throw new InvalidSpecException($"there are no clusters with this name: {spec.Destination.Name ?? spec.Destination.Server}");
            }
            cluster = _remote.ManagedClusterOf(spec.Destination);
            server = _remote.Clusters.Resolve(spec.Destination)?.Server ?? server;
        }
        if (policy.CheckDestination(spec.Destination, server) is { } badDestination)
        {
            throw new InvalidSpecException(badDestination);
        }
        return (policy, cluster);
    }

    /// <summary>Removes the app's deliveries to clusters other than <paramref name="keepCluster"/> (all when null).</summary>
    private async Task WithdrawAsync(string key, string? keepCluster, bool cascade, CancellationToken ct)
    {
        if (_remote is null)
        {
            return;
        }
        var (ns, name) = ObjectKeys.Split(key);
        foreach (var (cluster, app) in _remote.Delivery.Published().ToList())
        {
            if (app.Name == name && app.Namespace == (ns ?? "") && cluster != keepCluster)
            {
                _logger.LogInformation("withdrawing {App} from cluster {Cluster} ({Mode})", key, cluster, cascade ? "cascade" : "orphan");
                await _remote.Delivery.WithdrawAsync(cluster, app, orphan: !cascade, ct);
            }
        }
    }

    /// <summary>Deletion with Argo CD's resources finalizer: delete what the app deployed, then let the app go.</summary>
    private async Task<ReconcileResult> FinalizeAsync(string key, JsonObject app, CancellationToken ct)
    {
        if (_running.TryRemove(key, out var running))
        {
            await running.Cancel.CancelAsync();
        }
        if (!app.Finalizers().Contains(ResourcesFinalizer))
        {
            return ReconcileResult.Done;
        }
        await WithdrawAsync(key, keepCluster: null, cascade: true, ct);
        if (_remote?.Delivery.Pending(new RemoteAppKey(app.Namespace() ?? "", app.Name()!)) == true)
        {
            return ReconcileResult.After(TimeSpan.FromSeconds(1)); // the clusters are still removing what they applied
        }
        foreach (var (resource, obj) in _cache.ManagedBy(app.Name()!).ToList())
        {
            try
            {
                await _client.DeleteAsync(resource, obj.Namespace(), obj.Name()!, new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground }, ct);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
            }
        }
        var remaining = app.Finalizers().Where(f => f != ResourcesFinalizer).Select(f => (JsonNode)f).ToArray();
        try
        {
            await _client.PatchAsync(Applications, app.Namespace(), app.Name()!, PatchType.Merge,
                new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(remaining) } }, null, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
        return ReconcileResult.Done;
    }

    private static List<JsonObject> ResourceConditions(JsonObject app, AppProjectPolicy policy, Comparison comparison, DateTimeOffset now)
    {
        var denied = comparison.Targets
            .Select(t => policy.CheckResource(t.Resource.Group, t.Resource.Kind, t.Resource.Namespaced))
            .OfType<string>().Distinct().ToList();
        var conditions = denied.Select(d => AppStatus.Condition("ComparisonError", d, now)).ToList();
        if (app["status"]?["operationState"] is JsonObject { } last && last["phase"]?.GetValue<string>() is "Failed" or "Error"
            && last["syncResult"]?["revision"]?.GetValue<string>() == comparison.Revisions.FirstOrDefault())
        {
            conditions.Add(AppStatus.Condition("SyncError", last["message"]?.GetValue<string>() ?? "sync failed", now));
        }
        var prunable = comparison.Resources.Count(r => r.RequiresPruning);
        if (prunable > 0)
        {
            conditions.Add(AppStatus.Condition("OrphanedResourceWarning", $"Application has {prunable} resource(s) that are no longer in Git and require pruning", now));
        }
        return conditions;
    }

    /// <summary>Argo CD's auto-sync rules: once per revision unless selfHeal; not after a failed attempt on the same revision; prune-only changes need prune.</summary>
    private static JsonObject? ShouldAutoSync(JsonObject app, ApplicationSpec spec, Comparison comparison, List<JsonObject> conditions)
    {
        var policy = spec.SyncPolicy;
        if (!policy.Automated || comparison.Synced || conditions.Any(c => c["type"]?.GetValue<string>() == "ComparisonError"))
        {
            return null;
        }
        var revision = comparison.Revisions.Count > 0 ? string.Join(",", comparison.Revisions) : "";
        var outOfSync = comparison.Resources.Where(r => !r.Synced && !r.IsHook).ToList();
        if (outOfSync.All(r => r.RequiresPruning) && !policy.Prune)
        {
            return null;
        }
        if (comparison.Targets.Count == 0 && !policy.AllowEmpty)
        {
            return null;
        }
        var last = app["status"]?["operationState"];
        var lastRevision = last?["syncResult"]?["revision"]?.GetValue<string>() ?? last?["operation"]?["sync"]?["revision"]?.GetValue<string>();
        var lastAutomated = last?["operation"]?["initiatedBy"]?["automated"]?.GetValue<bool>() == true;
        var lastPhase = last?["phase"]?.GetValue<string>();
        if (lastRevision == revision && lastAutomated)
        {
            if (lastPhase is "Failed" or "Error")
            {
                return null; // Argo CD: "Skipping auto-sync: failed previous sync attempt"; a new commit or a manual sync moves on
            }
            if (!policy.SelfHeal)
            {
                return null; // already synced this revision automatically; without selfHeal drift is only reported
            }
            // Self-heal, as Argo CD: only what drifted is synced again.
            var heal = SyncOperation.Automated(revision, policy.Prune, policy.Options);
            heal["sync"]!["resources"] = new JsonArray(outOfSync.Select(r => (JsonNode)new JsonObject
            {
                ["group"] = r.Planned.Resource.Group,
                ["kind"] = r.Planned.Resource.Kind,
                ["name"] = r.Planned.Object.Name(),
                ["namespace"] = r.Planned.Object.Namespace(),
            }).ToArray());
            return heal;
        }
        return SyncOperation.Automated(revision, policy.Prune, policy.Options);
    }

    /// <summary>
    /// Argo CD's self-heal timeout: a self-heal of the same revision waits this long after the previous sync ended.
    /// Applied to managed-cluster destinations, where a self-heal re-delivers the whole ManifestWork (drift on the
    /// cluster itself is healed by its agent); on the hub, drift is healed at once as before.
    /// </summary>
    private TimeSpan? SelfHealBackoff(JsonObject app, JsonObject auto, DateTimeOffset now)
    {
        if (auto["sync"]?["resources"] is null
            || !DateTimeOffset.TryParse(app["status"]?["operationState"]?["finishedAt"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out var finished))
        {
            return null;
        }
        var due = finished + _options.SelfHealTimeout;
        return due > now ? due - now : null;
    }

    private void StartOperation(string key, JsonObject app, ApplicationSpec spec, SyncOperation operation, string? cluster)
    {
        var cts = new CancellationTokenSource();
        var run = new OperationRun(_client, _comparer, _health, _options, _loggers, _clock, cluster is null ? null : new RemoteTarget(_remote!, cluster));
        var task = Task.Run(async () =>
        {
            try
            {
                await _events.OperationStartedAsync(app, operation, CancellationToken.None);
                await _events.OperationCompletedAsync(app, await run.ExecuteAsync(app, spec, operation, PreviouslyManaged(app), cts.Token), CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "sync operation of {App} failed", key);
            }
            finally
            {
                await FinalStatusCachedAsync(key);
                _running.TryRemove(key, out _);
                cts.Dispose();
                _controller.Enqueue(key);
            }
        });
        _running[key] = new RunningOperation(task, cts);
    }

    /// <summary>
    /// Waits (briefly) until the Applications cache shows the operation's final phase: a reconcile that still read
    /// <c>Running</c> there would take the finished operation for one a restart interrupted and run it again.
    /// </summary>
    private async Task FinalStatusCachedAsync(string key)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_apps.GetByKey(key)?["status"]?["operationState"]?["phase"]?.GetValue<string>() is "Running" or "Terminating" && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
    }

    private async Task WriteStatusAsync(JsonObject app, JsonObject status, CancellationToken ct)
    {
        var current = app["status"] as JsonObject ?? new JsonObject();
        var changed = status.Any(p => !JsonNode.DeepEquals(Normalize(p.Value), Normalize(current[p.Key])));
        var reconciledAt = current["reconciledAt"]?.GetValue<string>();
        var stale = !DateTimeOffset.TryParse(reconciledAt, out var at) || _clock.GetUtcNow() - at >= _options.PollInterval;
        if (!changed && !stale)
        {
            return;
        }
        await _events.StatusChangedAsync(app, status, ct);
        status["reconciledAt"] = AppStatus.Timestamp(_clock.GetUtcNow());
        await _client.PatchAsync(Applications, app.Namespace(), app.Name()!, PatchType.Merge, new JsonObject { ["status"] = status }, null, ct);
    }

    /// <summary>Conditions carry their transition time; compare without it so unchanged conditions do not rewrite status.</summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        if (node is not JsonArray a)
        {
            return node;
        }
        var copy = (JsonArray)a.DeepClone();
        foreach (var item in copy.OfType<JsonObject>())
        {
            item.Remove("lastTransitionTime");
        }
        return copy;
    }

    private static IEnumerable<(string ApiVersion, string Kind)> PreviouslyManaged(JsonObject app) =>
        (app["status"]?["resources"] as JsonArray)?.OfType<JsonObject>()
            .Select(r => (r.GetString("group") is { Length: > 0 } g ? $"{g}/{r.GetString("version")}" : r.GetString("version") ?? "v1", r.GetString("kind") ?? ""))
            .Distinct().ToList() ?? [];

    /// <summary>Reconciles at once every application one of whose sources <paramref name="affected"/> says changed; returns how many.</summary>
    public int RefreshWhere(Func<ApplicationSource, bool> affected)
    {
        var count = 0;
        foreach (var app in _apps.List())
        {
            ApplicationSpec spec;
            try
            {
                spec = ApplicationSpec.Parse(app);
            }
            catch (InvalidSpecException)
            {
                continue;
            }
            if (spec.Sources.Any(affected))
            {
                _controller.Enqueue(ObjectKeys.KeyOf(app));
                count++;
            }
        }
        return count;
    }

    private void EnqueueByName(string appName)
    {
        foreach (var app in _apps.List())
        {
            if (app.Name() == appName)
            {
                _controller.Enqueue(ObjectKeys.KeyOf(app));
            }
        }
    }

    private void EnqueueAll()
    {
        foreach (var app in _apps.List())
        {
            _controller.Enqueue(ObjectKeys.KeyOf(app));
        }
    }

    private sealed record RunningOperation(Task Task, CancellationTokenSource Cancel);
}
