using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Fleet.Work;

/// <summary>
/// The klusterlet's work agent: applies the ManifestWorks of its cluster namespace on the hub to its cluster with
/// server-side apply, owns what it applied through an AppliedManifestWork (so deleting the work cleans up, unless
/// Orphan), removes what a work stops listing, reports per-manifest status and feedback, and re-applies at once when
/// an applied object drifts.
/// </summary>
public sealed class WorkAgent : IReconciler
{
    public const string FieldManager = "work-agent";
    public const string EventComponent = "work-agent";
    public const string CleanupFinalizer = "cluster.open-cluster-management.io/manifest-work-cleanup";

    private readonly IKubeClient _hub;
    private readonly IKubeClient _managed;
    private readonly string _cluster;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Informer _works;
    private readonly KubeController _controller;
    private readonly EventRecorder _events;
    private readonly ConcurrentDictionary<ResourceRef, Informer> _watched = new();
    private CancellationToken _stopping;

    public WorkAgent(IKubeClient hub, IKubeClient managed, string cluster, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        _hub = hub;
        _managed = managed;
        _cluster = cluster;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WorkAgent>();
        _clock = clock ?? TimeProvider.System;
        _events = new EventRecorder(hub, _clock, loggers.CreateLogger<EventRecorder>(), cluster);
        _works = new Informer(hub, OcmCrds.ManifestWorks, new InformerOptions { Namespace = cluster }, loggers.CreateLogger<Informer>());
        _controller = new KubeController("work-agent", this, new ControllerOptions { Workers = 2 }, loggers.CreateLogger<KubeController>());
        _controller.Watch(_works);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        _stopping = ct;
        await OcmCrds.InstallAsync(_managed, OcmCrds.Spoke, ct);
        await Task.WhenAll(_works.RunAsync(ct), _controller.RunAsync(ct));
    }

    private string AppliedName(string work) => $"{_cluster}-{work}";

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var (_, name) = ObjectKeys.Split(key);
        var work = _works.GetByKey(key);
        if (work is null)
        {
            return ReconcileResult.Done;
        }
        if (work.Metadata()["deletionTimestamp"] is not null)
        {
            await CleanupAsync(work, ct);
            return ReconcileResult.Done;
        }
        if (!work.Finalizers().Contains(CleanupFinalizer))
        {
            await _hub.PatchAsync(OcmCrds.ManifestWorks, _cluster, name, PatchType.Merge,
                new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray([.. work.Finalizers().Select(f => (JsonNode)f), CleanupFinalizer]) } }, null, ct);
        }
        var applied = await EnsureAppliedAsync(work, ct);
        var orphan = work["spec"]?["deleteOption"]?["propagationPolicy"]?.GetValue<string>() == "Orphan";
        var manifests = (work["spec"]?["workload"]?["manifests"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var now = _clock.GetUtcNow();
        var statuses = new JsonArray();
        var appliedResources = new JsonArray();
        var failures = new List<string>();
        for (var i = 0; i < manifests.Count; i++)
        {
            var manifest = (JsonObject)manifests[i].DeepClone();
            var meta = new JsonObject { ["ordinal"] = i, ["group"] = manifest.Gvk().Group, ["version"] = manifest.Gvk().Version, ["kind"] = manifest.Kind(), ["name"] = manifest.Name(), ["namespace"] = manifest.Namespace() ?? "" };
            var conditions = new JsonObject();
            try
            {
                var resource = await _managed.ResolveAsync(manifest.Gvk(), ct);
                meta["resource"] = resource.Resource;
                if (!orphan)
                {
                    manifest.Metadata()["ownerReferences"] = new JsonArray(new JsonObject
                    {
                        ["apiVersion"] = OcmCrds.AppliedManifestWorks.ApiVersion,
                        ["kind"] = "AppliedManifestWork",
                        ["name"] = applied.Name(),
                        ["uid"] = applied.Uid(),
                    });
                }
                var live = await _managed.ApplyAsync(resource, manifest, new ApplyOptions(FieldManager) { Force = true }, ct);
                await WatchAsync(resource);
                appliedResources.Add(new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["resource"] = resource.Resource, ["namespace"] = live.Namespace() ?? "", ["name"] = live.Name(), ["uid"] = live.Uid() });
                Conditions.Set(conditions, "Applied", "True", "AppliedManifestComplete", "Apply manifest complete", now);
                Conditions.Set(conditions, "Available", "True", "ResourceAvailable", "Resource is available", now);
                statuses.Add(new JsonObject { ["resourceMeta"] = meta, ["conditions"] = conditions["conditions"]!.DeepClone(), ["statusFeedback"] = Feedback(work, resource, live) });
            }
            catch (Exception e) when (e is KubeApiException or NoKindMatchException)
            {
                var message = e is KubeApiException k ? k.Status?.Message ?? k.Message : e.Message;
                failures.Add($"{manifest.Kind()} {manifest.Name()}: {message}");
                Conditions.Set(conditions, "Applied", "False", "AppliedManifestFailed", $"Failed to apply manifest: {message}", now);
                statuses.Add(new JsonObject { ["resourceMeta"] = meta, ["conditions"] = conditions["conditions"]!.DeepClone() });
            }
        }
        await PruneAsync(applied, appliedResources, ct);
        await _managed.PatchAsync(OcmCrds.AppliedManifestWorks, null, applied.Name()!, PatchType.Merge,
            new JsonObject { ["status"] = new JsonObject { ["appliedResources"] = appliedResources } }, new PatchOptions { Subresource = "status" }, ct);

        var status = work["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        if (failures.Count == 0)
        {
            Conditions.Set(status, "Applied", "True", "AppliedManifestWorkComplete", "Apply manifest work complete", now);
            Conditions.Set(status, "Available", "True", "ResourcesAvailable", "All resources are available", now);
        }
        else
        {
            Conditions.Set(status, "Applied", "False", "AppliedManifestWorkFailed", $"Failed to apply manifest work: {string.Join("; ", failures)}", now);
            Conditions.Set(status, "Available", "False", "ResourcesNotAvailable", $"{failures.Count} of {manifests.Count} resources are not available", now);
        }
        // observedGeneration says which spec this status describes (the hub judges "applied" only for the current one).
        foreach (var c in (status["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            c["observedGeneration"] = work.Metadata()["generation"]?.DeepClone();
        }
        status["resourceStatus"] = new JsonObject { ["manifests"] = StripTimes(statuses, work["status"]?["resourceStatus"]?["manifests"] as JsonArray) };
        if (!JsonNode.DeepEquals(status, work["status"]))
        {
            await _hub.PatchAsync(OcmCrds.ManifestWorks, _cluster, name, PatchType.Merge, new JsonObject { ["status"] = status }, new PatchOptions { Subresource = "status" }, ct);
            await RecordAppliedAsync(work, status, manifests.Count, failures, ct);
        }
        return ReconcileResult.Done;
    }

    /// <summary>An Event on the ManifestWork when its Applied condition changes (a new generation applied, or a failure or its message).</summary>
    private async Task RecordAppliedAsync(JsonObject work, JsonObject status, int manifests, List<string> failures, CancellationToken ct)
    {
        static JsonObject? Applied(JsonNode? s) => (s?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Applied");
        var before = Applied(work["status"]);
        var after = Applied(status);
        if (after is null || before is not null && new[] { "status", "message", "observedGeneration" }.All(f => JsonNode.DeepEquals(before[f], after[f])))
        {
            return;
        }
        var generation = work.Metadata()["generation"]?.ToString() ?? "?";
        await (failures.Count == 0
            ? _events.NormalAsync(work, EventComponent, "ManifestWorkApplied", $"Applied {manifests} manifests of generation {generation} to cluster {_cluster}", ct)
            : _events.WarningAsync(work, EventComponent, "ManifestWorkApplyFailed",
                $"Failed to apply {failures.Count} of {manifests} manifests of generation {generation} to cluster {_cluster}: {string.Join("; ", failures)}", ct));
    }

    /// <summary>Keeps the previous per-manifest condition times when nothing changed, so an unchanged work writes no status.</summary>
    private static JsonArray StripTimes(JsonArray current, JsonArray? previous)
    {
        foreach (var (item, index) in current.OfType<JsonObject>().Select((x, i) => (x, i)))
        {
            var before = previous?.ElementAtOrDefault(index) as JsonObject;
            foreach (var c in (item["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var old = (before?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => o["type"]?.GetValue<string>() == c["type"]?.GetValue<string>());
                if (old is not null && old["status"]?.GetValue<string>() == c["status"]?.GetValue<string>())
                {
                    c["lastTransitionTime"] = old["lastTransitionTime"]?.DeepClone();
                }
            }
        }
        return current;
    }

    private async Task<JsonObject> EnsureAppliedAsync(JsonObject work, CancellationToken ct)
    {
        var name = AppliedName(work.Name()!);
        var existing = await _managed.GetAsync(OcmCrds.AppliedManifestWorks, null, name, ct);
        if (existing is not null)
        {
            return existing;
        }
        return await _managed.CreateAsync(OcmCrds.AppliedManifestWorks, new JsonObject
        {
            ["apiVersion"] = OcmCrds.AppliedManifestWorks.ApiVersion,
            ["kind"] = "AppliedManifestWork",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["hubHash"] = _cluster, ["manifestWorkName"] = work.Name(), ["agentID"] = _cluster },
        }, null, ct);
    }

    /// <summary>Deletes what the previous apply made and this one no longer lists.</summary>
    private async Task PruneAsync(JsonObject applied, JsonArray current, CancellationToken ct)
    {
        var keep = current.OfType<JsonObject>().Select(r => r.GetString("uid")).ToHashSet();
        foreach (var old in (applied["status"]?["appliedResources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (keep.Contains(old.GetString("uid")))
            {
                continue;
            }
            var resource = _watched.Keys.FirstOrDefault(r => r.Group == old.GetString("group") && r.Resource == old.GetString("resource"))
                ?? new ResourceRef(old.GetString("group") ?? "", old.GetString("version") ?? "v1", old.GetString("resource") ?? "", "", !string.IsNullOrEmpty(old.GetString("namespace")));
            await _managed.DeleteAsync(resource, NullIfEmpty(old.GetString("namespace")), old.GetString("name")!, new DeleteOptions { PropagationPolicy = PropagationPolicy.Background, Uid = old.GetString("uid") }, ct);
        }
    }

    private async Task CleanupAsync(JsonObject work, CancellationToken ct)
    {
        var orphan = work["spec"]?["deleteOption"]?["propagationPolicy"]?.GetValue<string>() == "Orphan";
        var appliedName = AppliedName(work.Name()!);
        if (!orphan)
        {
            // The applied objects are owned by the AppliedManifestWork: foreground deletion takes them with it.
            await _managed.DeleteAsync(OcmCrds.AppliedManifestWorks, null, appliedName, new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground }, ct);
            while (await _managed.GetAsync(OcmCrds.AppliedManifestWorks, null, appliedName, ct) is not null)
            {
                await Task.Delay(100, ct);
            }
        }
        else
        {
            await _managed.DeleteAsync(OcmCrds.AppliedManifestWorks, null, appliedName, new DeleteOptions { PropagationPolicy = PropagationPolicy.Orphan }, ct);
        }
        var remaining = work.Finalizers().Where(f => f != CleanupFinalizer).Select(f => (JsonNode)f).ToArray();
        try
        {
            await _hub.PatchAsync(OcmCrds.ManifestWorks, _cluster, work.Name()!, PatchType.Merge,
                new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(remaining) } }, null, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return; // an earlier pass already let it go
        }
        _logger.LogInformation("manifestwork {Work} deleted ({Policy})", work.Name(), orphan ? "Orphan" : "Foreground");
    }

    /// <summary>statusFeedback for the manifestConfigs that name this resource (JSONPaths, and WellKnownStatus for Deployments and Jobs).</summary>
    private static JsonObject? Feedback(JsonObject work, ResourceRef resource, JsonObject live)
    {
        var config = (work["spec"]?["manifestConfigs"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c =>
            c["resourceIdentifier"] is JsonObject id && (id.GetString("group") ?? "") == resource.Group && id.GetString("resource") == resource.Resource
            && id.GetString("name") == live.Name() && (id.GetString("namespace") ?? "") == (live.Namespace() ?? ""));
        if (config?["feedbackRules"] is not JsonArray rules)
        {
            return null;
        }
        var values = new JsonArray();
        foreach (var rule in rules.OfType<JsonObject>())
        {
            IEnumerable<(string Name, string Path)> paths = rule.GetString("type") == "WellKnownStatus"
                ? resource.Kind switch
                {
                    "Deployment" => [("ReadyReplicas", ".status.readyReplicas"), ("Replicas", ".status.replicas"), ("AvailableReplicas", ".status.availableReplicas")],
                    "Job" => [("JobComplete", ".status.succeeded")],
                    _ => [],
                }
                : (rule["jsonPaths"] as JsonArray)?.OfType<JsonObject>().Select(p => (p.GetString("name") ?? "", p.GetString("path") ?? "")) ?? [];
            foreach (var (name, path) in paths)
            {
                var value = JsonPath.Evaluate(live, path);
                if (value is null)
                {
                    continue;
                }
                var fieldValue = value switch
                {
                    JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => new JsonObject { ["type"] = "Integer", ["integer"] = v.DeepClone() },
                    JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => new JsonObject { ["type"] = "Boolean", ["boolean"] = v.DeepClone() },
                    JsonValue v => new JsonObject { ["type"] = "String", ["string"] = v.ToString() },
                    _ => new JsonObject { ["type"] = "JsonRaw", ["jsonRaw"] = value.ToJsonString() },
                };
                values.Add(new JsonObject { ["name"] = name, ["fieldValue"] = fieldValue });
            }
        }
        return new JsonObject { ["values"] = values };
    }

    /// <summary>Watches an applied kind on the managed cluster: a change to an object owned by a work re-applies that work.</summary>
    private Task WatchAsync(ResourceRef resource)
    {
        _watched.GetOrAdd(resource, r =>
        {
            var informer = new Informer(_managed, r, new InformerOptions(), _loggers.CreateLogger<Informer>());
            informer.AddEventHandler(new InformerEventHandler { Updated = (_, o) => Drifted(o), Deleted = Drifted });
            _ = Task.Run(() => informer.RunAsync(_stopping));
            return informer;
        });
        return Task.CompletedTask;
    }

    private void Drifted(JsonObject obj)
    {
        var owner = (obj.Metadata()["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(o => o.GetString("kind") == "AppliedManifestWork")?.GetString("name");
        if (owner is not null && owner.StartsWith(_cluster + "-", StringComparison.Ordinal))
        {
            _controller.Enqueue(ObjectKeys.KeyOf(_cluster, owner[(_cluster.Length + 1)..]));
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
