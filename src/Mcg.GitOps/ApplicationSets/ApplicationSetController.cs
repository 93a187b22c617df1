using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Delivery;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.GitOps.ApplicationSets;

/// <summary>
/// The ApplicationSet controller: generators → parameter sets → one Application per set from the template, owned by
/// the ApplicationSet (so deleting it deletes them), with Argo CD's resources finalizer unless
/// <c>syncPolicy.preserveResourcesOnDeletion</c>; Applications whose parameters vanished (a cluster left the
/// placement) are deleted unless <c>applicationsSync</c> forbids it. Status conditions and per-app resources as upstream.
/// </summary>
public sealed class ApplicationSetController : IReconciler
{
    public static readonly ResourceRef ApplicationSets = ArgoCrds.ApplicationSets;
    public const string FieldManager = "argocd-applicationset-controller";
    private static readonly TimeSpan StatusRefreshDelay = TimeSpan.FromSeconds(1);

    private readonly IKubeClient _client;
    private readonly ParameterGenerators _generators;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Informer _appSets;
    private readonly Informer _apps;
    private readonly KubeController _controller;
    private readonly ClusterSecrets _clusters;

    /// <param name="applications">The application controller's Applications cache (shared: one copy of every Application in memory).</param>
    public ApplicationSetController(IKubeClient client, ClusterSecrets clusters, Informer applications, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        _client = client;
        _clusters = clusters;
        _generators = new ParameterGenerators(client, clusters);
        _logger = loggers.CreateLogger<ApplicationSetController>();
        _clock = clock ?? TimeProvider.System;
        _appSets = new Informer(client, ApplicationSets, new InformerOptions(), loggers.CreateLogger<Informer>());
        _apps = applications;
        _controller = new KubeController("applicationsets", this, new ControllerOptions { Workers = 2 }, loggers.CreateLogger<KubeController>());
        _controller.Watch(_appSets);
        // Generated apps change status often during a rollout: their set's status is refreshed at most about once a second.
        _apps.AddEventHandler(new InformerEventHandler
        {
            Added = EnqueueOwner,
            Updated = (_, a) => EnqueueOwner(a),
            Deleted = EnqueueOwner,
        });
        // A cluster joining or leaving (or relabelled) changes what the cluster-based generators produce.
        clusters.Informer.AddEventHandler(new InformerEventHandler
        {
            Added = _ => EnqueueAll(),
            Updated = (_, _) => EnqueueAll(),
            Deleted = _ => EnqueueAll(),
        });
    }

    /// <summary>Runs until cancelled; the Applications and cluster Secrets caches are run by their owner (the application controller).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var informers = _appSets.RunAsync(ct);
        await Task.WhenAll(_appSets.WaitForSyncAsync(ct), _apps.WaitForSyncAsync(ct), _clusters.Informer.WaitForSyncAsync(ct));
        await Task.WhenAll(informers, _controller.RunAsync(ct));
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var appSet = _appSets.GetByKey(key);
        if (appSet is null || appSet.Metadata()["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done; // owned Applications go with it (garbage collection by owner reference)
        }
        var ns = appSet.Namespace()!;
        var spec = appSet["spec"] as JsonObject ?? [];
        var now = _clock.GetUtcNow();
        var owned = _apps.List().Where(a => OwnedBy(a, appSet)).ToList();
        List<JsonObject> desired;
        TimeSpan? requeue = null;
        try
        {
            (desired, requeue) = await GenerateAsync(appSet, spec, ct);
        }
        catch (Exception e) when (e is GeneratorException or TemplateException or KubeApiException)
        {
            var message = e is KubeApiException k ? k.Status?.Message ?? k.Message : e.Message;
            _logger.LogWarning("applicationset {Key}: {Message}", key, message);
            await WriteStatusAsync(appSet, Failed(appSet, "ApplicationGenerationFromParamsError", message, now), owned, ct);
            return ReconcileResult.After(requeue ?? ParameterGenerators.DefaultRequeue);
        }

        var policy = spec["syncPolicy"]?["applicationsSync"]?.GetValue<string>() ?? "sync";
        var preserve = spec["syncPolicy"]?["preserveResourcesOnDeletion"]?.GetValue<bool>() == true;
        var errors = new List<string>();
        foreach (var app in desired)
        {
            var existing = _apps.Get(ns, app.Name()!);
            if (existing is not null && !OwnedBy(existing, appSet))
            {
                errors.Add($"application {app.Name()} already exists and is not owned by this ApplicationSet");
                continue;
            }
            if (existing is not null && (policy == "create-only" || Same(existing, app)))
            {
                continue;
            }
            try
            {
                await _client.ApplyAsync(ApplicationController.Applications, app, new ApplyOptions(FieldManager) { Force = true }, ct);
                _logger.LogInformation("applicationset {Key}: {Verb} application {App}", key, existing is null ? "created" : "updated", app.Name());
            }
            catch (KubeApiException e)
            {
                errors.Add($"application {app.Name()}: {e.Status?.Message ?? e.Message}");
            }
        }
        if (policy is "sync" or "create-delete")
        {
            var names = desired.Select(a => a.Name()).ToHashSet();
            foreach (var stale in owned.Where(a => !names.Contains(a.Name()) && a.Metadata()["deletionTimestamp"] is null))
            {
                await DeleteAsync(stale, preserve, ct);
                _logger.LogInformation("applicationset {Key}: deleted application {App}", key, stale.Name());
            }
        }
        var status = errors.Count > 0
            ? Failed(appSet, "ApplicationSetCreateAppError", string.Join("; ", errors), now)
            : UpToDate(appSet, now);
        await WriteStatusAsync(appSet, status, _apps.List().Where(a => OwnedBy(a, appSet)).ToList(), ct);
        return requeue is { } r ? ReconcileResult.After(r) : ReconcileResult.Done;
    }

    /// <summary>Every generator's parameter sets rendered through the template; duplicate names are an error as upstream.</summary>
    private async Task<(List<JsonObject> Apps, TimeSpan? Requeue)> GenerateAsync(JsonObject appSet, JsonObject spec, CancellationToken ct)
    {
        var template = spec["template"] as JsonObject ?? throw new GeneratorException("spec.template is required");
        var goTemplate = spec["goTemplate"]?.GetValue<bool>() == true;
        var missingKeyError = (spec["goTemplateOptions"] as JsonArray)?.Any(o => o?.GetValue<string>() == "missingkey=error") == true;
        var preserve = spec["syncPolicy"]?["preserveResourcesOnDeletion"]?.GetValue<bool>() == true;
        var generators = spec["generators"] as JsonArray ?? throw new GeneratorException("spec.generators is required");
        var apps = new List<JsonObject>();
        TimeSpan? requeue = null;
        for (var i = 0; i < generators.Count; i++)
        {
            var generator = generators[i] as JsonObject ?? throw new GeneratorException($"spec.generators[{i}] must be an object");
            var generated = await _generators.GenerateAsync(generator, appSet.Namespace()!, i, ct);
            if (generated.RequeueAfter is { } after)
            {
                requeue = requeue is { } r && r < after ? r : after;
            }
            var effective = Merge(template, generator.Select(p => p.Value).OfType<JsonObject>().Select(g => g["template"]).OfType<JsonObject>().FirstOrDefault());
            foreach (var parameters in generated.Sets)
            {
                apps.Add(Application(appSet, TemplateRenderer.Render(effective, parameters, goTemplate, missingKeyError), preserve));
            }
        }
        var duplicate = apps.GroupBy(a => a.Name()).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new GeneratorException($"ApplicationSet {appSet.Name()} contains applications with duplicate name: {duplicate.Key}");
        }
        return (apps, requeue);
    }

    /// <summary>A generator's own <c>template</c> overrides the ApplicationSet's, field by field.</summary>
    private static JsonObject Merge(JsonObject template, JsonObject? overrides)
    {
        var merged = (JsonObject)template.DeepClone();
        if (overrides is null)
        {
            return merged;
        }
        foreach (var (k, v) in overrides)
        {
            merged[k] = merged[k] is JsonObject a && v is JsonObject b ? Merge(a, b) : v?.DeepClone();
        }
        return merged;
    }

    private static JsonObject Application(JsonObject appSet, JsonObject rendered, bool preserve)
    {
        var meta = rendered["metadata"] as JsonObject ?? [];
        var name = meta.GetString("name");
        if (string.IsNullOrEmpty(name))
        {
            throw new TemplateException("template.metadata.name is required (it must render to a non-empty name)");
        }
        var finalizers = (meta["finalizers"] as JsonArray)?.Select(f => f?.GetValue<string>() ?? "").ToList() ?? [];
        if (!preserve && !finalizers.Contains(ApplicationController.ResourcesFinalizer))
        {
            finalizers.Add(ApplicationController.ResourcesFinalizer);
        }
        if (preserve)
        {
            finalizers.Remove(ApplicationController.ResourcesFinalizer);
        }
        return new JsonObject
        {
            ["apiVersion"] = $"{ArgoCrds.Group}/{ArgoCrds.Version}",
            ["kind"] = "Application",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = appSet.Namespace(),
                ["labels"] = meta["labels"]?.DeepClone(),
                ["annotations"] = meta["annotations"]?.DeepClone(),
                ["finalizers"] = finalizers.Count > 0 ? new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray()) : null,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = $"{ArgoCrds.Group}/{ArgoCrds.Version}",
                    ["kind"] = "ApplicationSet",
                    ["name"] = appSet.Name(),
                    ["uid"] = appSet.Uid(),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = rendered["spec"]?.DeepClone(),
        };
    }

    /// <summary>Unchanged when the spec, labels, annotations and finalizers the template sets are already there.</summary>
    private static bool Same(JsonObject existing, JsonObject desired) =>
        JsonNode.DeepEquals(existing["spec"], desired["spec"])
        && Contains(existing.Metadata()["labels"], desired.Metadata()["labels"])
        && Contains(existing.Metadata()["annotations"], desired.Metadata()["annotations"])
        && JsonNode.DeepEquals(existing.Metadata()["finalizers"], desired.Metadata()["finalizers"]);

    private static bool Contains(JsonNode? actual, JsonNode? wanted) =>
        wanted is not JsonObject w || w.All(p => JsonNode.DeepEquals((actual as JsonObject)?[p.Key], p.Value));

    private async Task DeleteAsync(JsonObject app, bool preserve, CancellationToken ct)
    {
        try
        {
            if (preserve && app.Finalizers().Contains(ApplicationController.ResourcesFinalizer))
            {
                await _client.PatchAsync(ApplicationController.Applications, app.Namespace(), app.Name()!, PatchType.Merge,
                    new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(app.Finalizers().Where(f => f != ApplicationController.ResourcesFinalizer).Select(f => (JsonNode)f).ToArray()) } }, null, ct);
            }
            await _client.DeleteAsync(ApplicationController.Applications, app.Namespace(), app.Name()!, null, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
    }

    private static JsonArray UpToDate(JsonObject appSet, DateTimeOffset now) => Conditions(appSet, now,
        ("ErrorOccurred", "False", "ApplicationSetUpToDate", "All applications have been generated successfully"),
        ("ParametersGenerated", "True", "ParametersGenerated", "Successfully generated parameters for all Applications"),
        ("ResourcesUpToDate", "True", "ApplicationSetUpToDate", "All applications have been generated successfully"));

    private static JsonArray Failed(JsonObject appSet, string reason, string message, DateTimeOffset now) => Conditions(appSet, now,
        ("ErrorOccurred", "True", reason, message),
        ("ParametersGenerated", reason == "ApplicationGenerationFromParamsError" ? "False" : "True", reason == "ApplicationGenerationFromParamsError" ? "ErrorOccurred" : "ParametersGenerated",
            reason == "ApplicationGenerationFromParamsError" ? message : "Successfully generated parameters for all Applications"),
        ("ResourcesUpToDate", "False", "ErrorOccurred", message));

    /// <summary>Upstream's three conditions, keeping each one's transition time while its status holds.</summary>
    private static JsonArray Conditions(JsonObject appSet, DateTimeOffset now, params (string Type, string Status, string Reason, string Message)[] wanted)
    {
        var previous = (appSet["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var result = new JsonArray();
        foreach (var (type, status, reason, message) in wanted)
        {
            var old = previous.FirstOrDefault(c => c.GetString("type") == type);
            result.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["reason"] = reason,
                ["message"] = message,
                ["lastTransitionTime"] = old?.GetString("status") == status ? old.GetString("lastTransitionTime") : AppStatus.Timestamp(now),
            });
        }
        return result;
    }

    /// <summary>Conditions and, as upstream, each generated Application's health and sync status.</summary>
    private async Task WriteStatusAsync(JsonObject appSet, JsonArray conditions, IReadOnlyList<JsonObject> apps, CancellationToken ct)
    {
        var resources = new JsonArray(apps.OrderBy(a => a.Name(), StringComparer.Ordinal).Select(a => (JsonNode)new JsonObject
        {
            ["group"] = ArgoCrds.Group,
            ["version"] = ArgoCrds.Version,
            ["kind"] = "Application",
            ["namespace"] = a.Namespace(),
            ["name"] = a.Name(),
            ["status"] = a["status"]?["sync"]?["status"]?.DeepClone() ?? "Unknown",
            ["health"] = new JsonObject { ["status"] = a["status"]?["health"]?["status"]?.DeepClone() ?? "Unknown" },
        }).ToArray());
        var status = new JsonObject { ["conditions"] = conditions, ["resources"] = resources };
        if (JsonNode.DeepEquals(status, appSet["status"]))
        {
            return;
        }
        await _client.PatchAsync(ApplicationSets, appSet.Namespace(), appSet.Name()!, PatchType.Merge, new JsonObject { ["status"] = status }, null, ct);
    }

    private static bool OwnedBy(JsonObject app, JsonObject appSet) =>
        (app.Metadata()["ownerReferences"] as JsonArray)?.OfType<JsonObject>().Any(o => o.GetString("kind") == "ApplicationSet" && o.GetString("uid") == appSet.Uid()) == true;

    private void EnqueueOwner(JsonObject app)
    {
        foreach (var owner in (app.Metadata()["ownerReferences"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (owner.GetString("kind") == "ApplicationSet" && owner.GetString("name") is { } name)
            {
                _controller.Queue.AddAfter(ObjectKeys.KeyOf(app.Namespace(), name), StatusRefreshDelay);
            }
        }
    }

    private void EnqueueAll()
    {
        foreach (var s in _appSets.List())
        {
            _controller.Enqueue(ObjectKeys.KeyOf(s));
        }
    }
}
