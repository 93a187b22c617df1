using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Placement;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Patterns.Generation;
using Mcg.Patterns.Values;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Patterns.Controller;

/// <summary>
/// The patterns operator's loop on the hub: for each Pattern, fetch its repository at <c>gitSpec.targetRevision</c>,
/// read <c>values-global.yaml</c> and <c>values-&lt;clusterGroupName&gt;.yaml</c>, generate the hub's objects and, for each
/// managed cluster group, the Placement and — for every cluster its PlacementDecisions select — the group's
/// Applications and work; server-side-apply them, prune what is no longer generated, report status. Runs again on a
/// timer (new commits), on Pattern changes, and when PlacementDecisions or ManagedClusters change.
/// </summary>
public sealed class PatternController : IReconciler
{
    private readonly IKubeClient _client;
    private readonly GitManifestSource _source;
    private readonly PatternControllerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly GeneratedObjectSync _sync;
    private readonly Dictionary<string, (string Hash, DateTimeOffset At)> _lastApplied = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<GenerationProblem>> _lastProblems = new(StringComparer.Ordinal);
    private readonly Lock _lastAppliedLock = new();
    private const string StatusOnlyPrefix = "status:";
    public const string EventComponent = "patterns-operator";
    private readonly EventRecorder _events;

    public PatternController(IKubeClient client, RepositoryCache repositories, PatternControllerOptions options, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        _client = client;
        _source = new GitManifestSource(repositories, client, options.ArgoNamespace);
        _options = options;
        _logger = loggers.CreateLogger<PatternController>();
        _clock = clock ?? TimeProvider.System;
        _sync = new GeneratedObjectSync(client, options.FieldManager);
        _events = new EventRecorder(client, _clock, loggers.CreateLogger<EventRecorder>());
        Patterns = new Informer(client, PatternCrds.Patterns, new InformerOptions(), loggers.CreateLogger<Informer>());
        Decisions = new Informer(client, OcmCrds.PlacementDecisions, new InformerOptions { Namespace = PlacementGenerator.Namespace }, loggers.CreateLogger<Informer>());
        Clusters = new Informer(client, OcmCrds.ManagedClusters, new InformerOptions(), loggers.CreateLogger<Informer>());
        Applications = new Informer(client, ApplicationController.Applications, new InformerOptions { Namespace = options.ArgoNamespace, LabelSelector = PatternLabels.Owner },
            loggers.CreateLogger<Informer>());
        Controller = new KubeController("patterns", this, new ControllerOptions(), loggers.CreateLogger<KubeController>());
        Controller.Watch(Patterns);
        Controller.Watch(Decisions, _ => AllPatternKeys());
        Controller.Watch(Clusters, _ => AllPatternKeys());
        // Application sync/health changes refresh status.applications only (no fetch, no apply).
        Controller.Watch(Applications, a => OwnerKey(a) is { } owner ? [StatusOnlyPrefix + owner] : []);
    }

    public Informer Patterns { get; }
    public Informer Decisions { get; }
    public Informer Clusters { get; }
    public Informer Applications { get; }
    public KubeController Controller { get; }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (key.StartsWith(StatusOnlyPrefix, StringComparison.Ordinal))
        {
            await RefreshApplicationsAsync(key[StatusOnlyPrefix.Length..], ct);
            return ReconcileResult.Done;
        }
        var (ns, name) = ObjectKeys.Split(key);
        var owner = PatternLabels.OwnerValue(ns, name);
        var pattern = Patterns.GetByKey(key);
        if (pattern is null)
        {
            var pruned = await _sync.PruneAsync(owner, [], ct);
            _logger.LogInformation("Pattern {Pattern} is gone: pruned {Count} generated objects", key, pruned);
            lock (_lastAppliedLock)
            {
                _lastApplied.Remove(key);
                _lastProblems.Remove(key);
            }
            return ReconcileResult.Done;
        }
        var status = new PatternStatus(pattern, _clock.GetUtcNow());
        var result = ReconcileResult.After(_options.PollInterval);
        var hub = ManagedClusterFacts.Hub(_options);
        status.Facts(hub);
        try
        {
            var spec = pattern["spec"] as JsonObject;
            var repoUrl = spec?["gitSpec"]?["targetRepo"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(repoUrl))
            {
                throw new PatternException("spec.gitSpec.targetRepo is required");
            }
            var revision = spec?["gitSpec"]?["targetRevision"]?.GetValue<string>() is { Length: > 0 } r ? r : "main";
            var groupName = spec?["clusterGroupName"]?.GetValue<string>();

            // Through the application controller's source: the same cache, and the Argo CD repository Secrets for credentials.
            SourceSnapshot snapshot;
            try
            {
                snapshot = await _source.FetchAsync(ApplicationSource.Parse(new JsonObject { ["repoURL"] = repoUrl, ["targetRevision"] = revision }, "spec.gitSpec"), null, ct);
            }
            catch (GitSourceException e)
            {
                status.Set("GitOutOfSync", true, e.Message);
                status.Remove("GitInSync");
                throw new PatternException(e.Message);
            }
            var (resolvedSha, root) = (snapshot.Revision, snapshot.Directory);
            status.Set("GitInSync", true, $"{repoUrl} at {revision}: {resolvedSha}");
            status.Remove("GitOutOfSync");

            var ctx = new GenerationContext(repoUrl, revision, _options.ArgoNamespace, hub, root);
            var set = Generate(root, groupName, ctx);
            var hash = Hash(set.Objects);
            bool fresh, changed;
            lock (_lastAppliedLock)
            {
                changed = !_lastApplied.TryGetValue(key, out var last) || last.Hash != hash;
                fresh = !changed && _clock.GetUtcNow() - last.At < _options.PollInterval;
            }
            if (!fresh)
            {
                await _sync.ApplyAsync(owner, set.Objects, ct);
                var pruned = await _sync.PruneAsync(owner, set.Objects, ct);
                lock (_lastAppliedLock)
                {
                    _lastApplied[key] = (hash, _clock.GetUtcNow());
                    _lastProblems[key] = set.Problems;
                }
                _logger.LogInformation("Pattern {Pattern}: applied {Count} objects at {Sha}, pruned {Pruned}", key, set.Objects.Count, resolvedSha[..7], pruned);
                if (changed)
                {
                    await _events.NormalAsync(pattern, EventComponent, "Applied", $"Applied {set.Objects.Count} objects from revision {resolvedSha[..7]}, pruned {pruned}", ct);
                }
            }
            status.Applied(resolvedSha);
            status.Step($"applied {set.Objects.Count} objects from revision {resolvedSha[..7]}", null);
            status.Set("Degraded", set.Problems.Count > 0, set.Problems.Count == 0
                ? "every application can be rendered"
                : string.Join("; ", set.Problems.Select(p => $"{p.Application}: {p.Message}")));
            status.Applications(Applications.List().Where(a => OwnerKey(a) == key), set.Problems);
            _events.ClearLast(pattern, EventComponent);
        }
        catch (Exception e) when (e is PatternException or ValuesException or ArgumentException)
        {
            _logger.LogWarning("Pattern {Pattern}: {Error}", key, e.Message);
            status.Step("failed", e.Message);
            status.Set("Degraded", true, e.Message);
            await _events.RecordOnChangeAsync(pattern, EventComponent, EventRecorder.Warning, "ReconcileFailed", e.Message, ct);
        }
        catch (KubeApiException e)
        {
            // e.g. the Argo CD namespace does not exist yet while the hub starts: retry with backoff
            _logger.LogWarning("Pattern {Pattern}: applying failed: {Error}", key, e.Message);
            status.Step("failed to apply", e.Message);
            status.Set("Degraded", true, e.Message);
            await _events.RecordOnChangeAsync(pattern, EventComponent, EventRecorder.Warning, "ApplyFailed", e.Message, ct);
            result = ReconcileResult.RequeueNow;
        }
        await WriteStatusAsync(pattern, status, ct);
        return result;
    }

    /// <summary>The hub's group plus, per managed cluster group, each selected cluster's copy.</summary>
    private GeneratedSet Generate(string root, string? groupName, GenerationContext ctx)
    {
        var values = PatternValues.Read(root, groupName, ctx.Facts);
        var hubSet = ClusterGroupGenerator.Hub(values, ctx);
        var objects = new List<JsonObject>(hubSet.Objects);
        var problems = new List<GenerationProblem>(hubSet.Problems);
        if (!ctx.Facts.IsHub(values.ClusterGroup.IsHubCluster))
        {
            return hubSet;
        }
        foreach (var group in values.ClusterGroup.ManagedClusterGroups)
        {
            foreach (var cluster in SelectedClusters(PlacementGenerator.PlacementName(group)))
            {
                var facts = ManagedClusterFacts.For(Clusters.Get(null, cluster), cluster, _options, ctx.Facts);
                var groupValues = PatternValues.Read(root, group.Name, facts, group.HelmOverrides, $"values-{values.ClusterGroup.Name}.yaml: {group.Field}.helmOverrides");
                var groupCtx = ctx with { Facts = facts, ManagedCluster = cluster, TargetRevision = group.TargetRevision ?? ctx.TargetRevision };
                var set = ClusterGroupGenerator.ManagedCluster(groupValues, groupCtx);
                objects.AddRange(set.Objects);
                problems.AddRange(set.Problems);
            }
        }
        // Projects named by several groups are generated once.
        var unique = objects.GroupBy(o => $"{o.Kind()}/{o.Namespace()}/{o.Name()}").Select(g => g.First()).ToList();
        return new GeneratedSet(unique, problems);
    }

    private IEnumerable<string> SelectedClusters(string placement) =>
        Decisions.List()
            .Where(d => d.Labels().GetValueOrDefault(OcmLabels.Placement) == placement)
            .SelectMany(d => (d["status"]?["decisions"] as JsonArray ?? []).Select(x => x?["clusterName"]?.GetValue<string>()))
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);

    private async Task WriteStatusAsync(JsonObject pattern, PatternStatus status, CancellationToken ct)
    {
        if (JsonNode.DeepEquals(pattern["status"], status.Json))
        {
            return;
        }
        try
        {
            await _client.PatchAsync(PatternCrds.Patterns, pattern.Namespace(), pattern.Name()!, PatchType.Merge,
                new JsonObject { ["status"] = status.Json }, new PatchOptions { Subresource = "status", FieldManager = _options.FieldManager }, ct);
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
            // deleted meanwhile: the informer's delete event prunes
        }
    }

    private async Task RefreshApplicationsAsync(string key, CancellationToken ct)
    {
        if (Patterns.GetByKey(key) is not { } pattern || pattern["status"]?["lastStep"] is null)
        {
            return; // not reconciled yet: the full reconcile writes the list
        }
        IReadOnlyList<GenerationProblem> problems;
        lock (_lastAppliedLock)
        {
            problems = _lastProblems.GetValueOrDefault(key) ?? [];
        }
        var status = new PatternStatus(pattern, _clock.GetUtcNow());
        status.Applications(Applications.List().Where(a => OwnerKey(a) == key), problems);
        if (JsonNode.DeepEquals(pattern["status"]?["applications"], status.Json["applications"]))
        {
            return;
        }
        // Only the applications list: the cached status may be older than what the last full reconcile wrote.
        try
        {
            await _client.PatchAsync(PatternCrds.Patterns, pattern.Namespace(), pattern.Name()!, PatchType.Merge,
                new JsonObject { ["status"] = new JsonObject { ["applications"] = status.Json["applications"]!.DeepClone() } },
                new PatchOptions { Subresource = "status", FieldManager = _options.FieldManager }, ct);
        }
        catch (KubeApiException e) when (e.StatusCode == 404)
        {
        }
    }

    /// <summary>The work-queue key of the Pattern that generated an object (from its owner label, "ns.name").</summary>
    private string? OwnerKey(JsonObject obj)
    {
        var owner = obj.Labels().GetValueOrDefault(PatternLabels.Owner);
        return owner is null ? null : Patterns.List().Select(ObjectKeys.KeyOf).FirstOrDefault(k =>
        {
            var (pns, pname) = ObjectKeys.Split(k);
            return PatternLabels.OwnerValue(pns, pname) == owner;
        });
    }

    private IEnumerable<string> AllPatternKeys() => Patterns.List().Select(ObjectKeys.KeyOf);

    private static string Hash(IEnumerable<JsonObject> objects)
    {
        var text = string.Join("\n", objects.Select(o => o.ToJsonString()));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>A Pattern that cannot be acted on (bad spec, unreachable repository): reported in its status.</summary>
public sealed class PatternException(string message) : Exception(message);
