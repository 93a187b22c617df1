using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Lifecycle;
using Mcg.ApiServer.Resources;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Apply;
using Mcg.Kube.Objects;
using Mcg.Kube.Patching;
using Mcg.Kube.Selectors;

namespace Mcg.ApiServer.Http;

/// <summary>The generic REST storage of every resource: get, list, watch, create, update, patch (four kinds), delete.</summary>
public sealed class ResourceHandler(ObjectStore store, ObjectLifecycle lifecycle, ResourceRegistry registry, FieldManager fieldManager, TimeProvider clock)
{
    private const int MaxConflictRetries = 16;
    private const string KubectlApplyManager = "kubectl";
    private const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
    private static readonly TimeSpan DefaultWatchTimeout = TimeSpan.FromMinutes(30);

    public async Task HandleAsync(RequestContext rc)
    {
        var info = rc.Info;
        if (info.Subresource.Length > 0 && !(info.Subresource == "status" && rc.Resource.HasStatus)
            && !(info.Subresource == "scale" && rc.Resource.Scale is not null)
            && !(info.Subresource == "finalize" && rc.Resource.Plural == "namespaces" && rc.Resource.BuiltIn))
        {
            throw ApiException.PathNotFound;
        }
        if (info.Subresource == "scale")
        {
            await ScaleAsync(rc);
            return;
        }
        if (!rc.Resource.Verbs.Contains(info.Verb) || (info.Verb is "update" or "patch" && info.Name.Length == 0))
        {
            throw ApiException.MethodNotAllowed();
        }
        if (rc.Resource.Namespaced && info.Namespace.Length == 0 && info.Verb is not ("list" or "watch"))
        {
            throw ApiException.PathNotFound;
        }
        if (!rc.Resource.Namespaced && info.Namespace.Length > 0 && info.Resource != "namespaces")
        {
            // A cluster-scoped resource under /namespaces/{ns}/ does not exist.
            throw ApiException.PathNotFound;
        }
        switch (info.Verb)
        {
            case "get":
                await Responses.WriteObjectAsync(rc, Read(rc), 200);
                break;
            case "list":
                await ListAsync(rc);
                break;
            case "watch":
                await WatchStream.ServeAsync(rc, store, clock, DefaultWatchTimeout);
                break;
            case "create":
                await CreateAsync(rc);
                break;
            case "update":
                await UpdateAsync(rc);
                break;
            case "patch":
                await PatchAsync(rc);
                break;
            case "delete":
                await DeleteAsync(rc);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(rc);
                break;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    private JsonObject Read(RequestContext rc)
    {
        var stored = store.Get(rc.Resource.StorageKey, rc.Namespace, rc.Info.Name) ?? throw ApiException.NotFound(rc.Resource, rc.Info.Name);
        return AsVersion(rc.Resource, stored.Object);
    }

    private async Task ListAsync(RequestContext rc)
    {
        var labels = ParseLabels(rc.Query("labelSelector"));
        var fields = ParseFields(rc.Resource, rc.Query("fieldSelector"));
        var limit = IntegerQuery(rc, "limit") is { } l && l > 0 ? l : long.MaxValue;
        var (items, rv) = store.List(rc.Resource.StorageKey, rc.Namespace);
        var token = ContinueToken.Parse(rc.Query("continue"));
        var after = token?.LastKey;
        if (token is { } t)
        {
            if (t.ResourceVersion < store.CompactedThrough)
            {
                throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }
            // Every page of a paged list reports the first page's resourceVersion, as upstream's do: a watch started from
            // it then replays whatever changed while the pages were read, so an informer's cache cannot miss a change.
            rv = t.ResourceVersion;
        }
        var selected = new List<StoredObject>();
        string? next = null;
        foreach (var o in items)
        {
            if (after is not null && string.CompareOrdinal(o.Key, after) <= 0)
            {
                continue;
            }
            if (!labels.Matches(o.Labels) || !fields.Matches(f => FieldValue(o, f)))
            {
                continue;
            }
            if (selected.Count == limit)
            {
                next = ContinueToken.Create(rv, selected[^1].Key);
                break;
            }
            selected.Add(o);
        }
        if (rc.WantsTable)
        {
            var table = TableConverter.Convert(rc.Resource, selected.Select(o => o.Object), rv.ToString(System.Globalization.CultureInfo.InvariantCulture), next, clock.GetUtcNow());
            await Responses.WriteJsonAsync(rc.Http, table, 200);
            return;
        }
        await Responses.WriteListAsync(rc, selected, rv, next);
    }

    private async Task CreateAsync(RequestContext rc)
    {
        var obj = await rc.ReadObjectAsync();
        var rt = rc.Resource;
        if (rc.Info.Name.Length > 0)
        {
            throw ApiException.MethodNotAllowed();
        }
        var now = clock.GetUtcNow();
        ObjectRules.PrepareForCreate(rt, obj, rc.Namespace, now);
        CheckNamespaceActive(rt, rc.Namespace, obj.Name());
        var manager = rc.FieldManager("unknown");
        obj = fieldManager.RecordUpdate(null, obj, manager, now);
        var created = Commit(rc, null, obj);
        await Responses.WriteObjectAsync(rc, created, 201);
    }

    private async Task UpdateAsync(RequestContext rc)
    {
        var body = await rc.ReadObjectAsync();
        var rt = rc.Resource;
        var precondition = body.ResourceVersion();
        for (var attempt = 0; ; attempt++)
        {
            var current = store.Get(rt.StorageKey, rc.Namespace, rc.Info.Name) ?? throw ApiException.NotFound(rt, rc.Info.Name);
            if (!string.IsNullOrEmpty(precondition) && precondition != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(rt, rc.Info.Name);
            }
            var candidate = (JsonObject)body.DeepClone();
            var updated = ObjectRules.PrepareForUpdate(rt, current.Clone(), candidate, rc.Info.Subresource, rc.Namespace);
            updated = fieldManager.RecordUpdate(current.Object, updated, rc.FieldManager("unknown"), clock.GetUtcNow(), Sub(rc));
            try
            {
                await Responses.WriteObjectAsync(rc, Commit(rc, current, updated), 200);
                return;
            }
            catch (ApiException e) when (e.Reason == "Conflict" && attempt < MaxConflictRetries && string.IsNullOrEmpty(precondition))
            {
                // A PUT without a resourceVersion is unconditional: write over whatever came in between, as upstream does.
            }
        }
    }

    private async Task PatchAsync(RequestContext rc)
    {
        var rt = rc.Resource;
        var contentType = rc.ContentType;
        var isApply = contentType == "application/apply-patch+yaml";
        if (!isApply && contentType is not ("application/merge-patch+json" or "application/json-patch+json")
            && !(contentType == "application/strategic-merge-patch+json" && rt.SupportsStrategicMerge))
        {
            // Upstream checks the patch type before anything else.
            throw ApiException.UnsupportedPatchType(rt);
        }
        var patch = await rc.ReadBodyAsync() ?? throw ApiException.BadRequest("the patch body is empty");
        if (!isApply && rc.Query("force") is not null)
        {
            throw ApiException.BadRequest("force: Invalid value: force flag must only be set for apply patches");
        }
        var manager = isApply ? rc.Query("fieldManager") : rc.FieldManager("unknown");
        if (string.IsNullOrEmpty(manager))
        {
            throw ApiException.BadRequest("PATCH, application/apply-patch+yaml requests must supply a fieldManager");
        }
        for (var attempt = 0; ; attempt++)
        {
            var current = store.Get(rt.StorageKey, rc.Namespace, rc.Info.Name);
            var now = clock.GetUtcNow();
            JsonObject next;
            if (isApply)
            {
                if (current is null && rc.Info.Subresource.Length > 0)
                {
                    // Applying to a subresource never creates the object.
                    throw ApiException.NotFound(rt, rc.Info.Name);
                }
                next = Apply(rc, current, patch, manager, now, out var created);
                if (created)
                {
                    try
                    {
                        await Responses.WriteObjectAsync(rc, Commit(rc, null, next), 201);
                        return;
                    }
                    catch (ApiException e) when (e.Reason == "AlreadyExists" && attempt < MaxConflictRetries)
                    {
                        continue;
                    }
                }
            }
            else
            {
                if (current is null)
                {
                    throw ApiException.NotFound(rt, rc.Info.Name);
                }
                var patched = ApplyPatch(rt, contentType, current.Clone(), patch);
                var precondition = patched.ResourceVersion();
                if (!string.IsNullOrEmpty(precondition) && precondition != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    throw ApiException.Conflict(rt, rc.Info.Name);
                }
                next = ObjectRules.PrepareForUpdate(rt, current.Clone(), patched, rc.Info.Subresource, rc.Namespace);
                next = fieldManager.RecordUpdate(current.Object, next, manager, now, Sub(rc));
            }
            try
            {
                await Responses.WriteObjectAsync(rc, Commit(rc, current, next), 200);
                return;
            }
            catch (ApiException e) when (e.Reason == "Conflict" && attempt < MaxConflictRetries && !HasPrecondition(patch))
            {
                // Someone wrote between our read and our write: patch the newer object, as GuaranteedUpdate does.
            }
        }
    }

    private JsonObject Apply(RequestContext rc, StoredObject? current, JsonNode patch, string manager, DateTimeOffset now, out bool created)
    {
        var rt = rc.Resource;
        if (patch is not JsonObject applied)
        {
            throw ApiException.BadRequest("the apply configuration must be an object");
        }
        var force = rc.Query("force") is "true";
        if (applied.Name() is { } name && name != rc.Info.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({rc.Info.Name})");
        }
        created = current is null;
        ApplyResult result;
        try
        {
            var desired = (JsonObject)applied.DeepClone();
            desired.Metadata()["name"] = rc.Info.Name;
            if (rt.Namespaced)
            {
                desired.Metadata()["namespace"] = rc.Namespace;
            }
            if (rt.HasStatus && rc.Info.Subresource != "status")
            {
                // The main resource ignores status for such kinds, so an apply there owns none of it either.
                desired.Remove("status");
            }
            var status = rc.Info.Subresource == "status";
            result = fieldManager.Apply(current?.Object, desired, manager, force, now, status);
            if (!result.Succeeded && !force && manager == KubectlApplyManager && LastAppliedFields(current?.Object) is { } allowed
                && result.Conflicts.All(c => allowed.Contains(c.Path)))
            {
                // Upgrading from client-side apply (upstream's lastAppliedManager): kubectl's server-side apply may take the
                // fields its last-applied-configuration annotation recorded, whoever owns them now.
                result = fieldManager.Apply(current?.Object, desired, manager, force: true, now, status);
            }
            if (result.Object is { } merged && manager == KubectlApplyManager)
            {
                // Keep the client-side apply annotation in step with what kubectl now applies (upstream's lastAppliedUpdater).
                SyncLastApplied(merged, applied);
            }
        }
        catch (ApplyException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        if (result.Conflicts.Count > 0)
        {
            var causes = new JsonArray(result.Conflicts.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = c.Message,
                ["field"] = c.Field,
            }).ToArray());
            throw new ApiException(409, "Conflict", result.Message ?? "Apply failed with conflicts", ApiException.DetailsOf(rt, rc.Info.Name, causes));
        }
        var obj = result.Object!;
        if (current is null)
        {
            ObjectRules.PrepareForCreate(rt, obj, rc.Namespace, now);
            CheckNamespaceActive(rt, rc.Namespace, obj.Name());
            return obj;
        }
        var precondition = applied.ResourceVersion();
        if (!string.IsNullOrEmpty(precondition) && precondition != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw ApiException.Conflict(rt, rc.Info.Name);
        }
        return ObjectRules.PrepareForUpdate(rt, current.Clone(), obj, rc.Info.Subresource, rc.Namespace);
    }

    /// <summary>The fields of the live object's last-applied-configuration annotation, or null without one.</summary>
    private static FieldSet? LastAppliedFields(JsonObject? live)
    {
        if (live is null || !live.Annotations().TryGetValue(LastAppliedAnnotation, out var text) || text.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text) is JsonObject lastApplied ? FieldSet.FromObject(lastApplied) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static void SyncLastApplied(JsonObject merged, JsonObject applied)
    {
        if (merged["metadata"]?["annotations"] is not JsonObject annotations || !annotations.ContainsKey(LastAppliedAnnotation))
        {
            return;
        }
        var config = (JsonObject)applied.DeepClone();
        if (config["metadata"]?["annotations"] is JsonObject own)
        {
            own.Remove(LastAppliedAnnotation);
        }
        annotations[LastAppliedAnnotation] = KubeJson.Serialize(SortKeys(config));
    }

    /// <summary>A copy with object keys in ordinal order, as Go's encoding of an unstructured object writes them.</summary>
    private static JsonNode? SortKeys(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, SortKeys(p.Value)))),
        JsonArray a => new JsonArray(a.Select(SortKeys).ToArray()),
        _ => node?.DeepClone(),
    };

    private static JsonObject ApplyPatch(ResourceType rt, string contentType, JsonObject current, JsonNode patch)
    {
        try
        {
            var result = contentType switch
            {
                "application/merge-patch+json" => JsonMergePatch.Apply(current, patch),
                "application/json-patch+json" => JsonPatch.Apply(current, patch),
                "application/strategic-merge-patch+json" when rt.SupportsStrategicMerge => StrategicMergePatch.Apply(current, patch),
                _ => throw ApiException.UnsupportedPatchType(rt),
            };
            return result as JsonObject ?? throw ApiException.BadRequest("the patch result is not an object");
        }
        catch (PatchException e)
        {
            throw e.IsInvalidRequest ? ApiException.BadRequest(e.Message) : new ApiException(422, "Invalid", e.Message);
        }
    }

    private async Task DeleteAsync(RequestContext rc)
    {
        var rt = rc.Resource;
        var (options, propagation, dryRun) = await ReadDeleteOptionsAsync(rc);
        if (rt.BuiltIn && rt.Group.Length == 0 && rt.Plural == "namespaces" && rc.Info.Name is "default" or "kube-system" or "kube-public")
        {
            // The NamespaceLifecycle admission plugin's immortal namespaces.
            throw ApiException.Forbidden(rt, rc.Info.Name, "this namespace may not be deleted");
        }
        var pre = options?["preconditions"];
        StoredObject current;
        JsonObject result;
        bool gone;
        for (var attempt = 0; ; attempt++)
        {
            current = store.Get(rt.StorageKey, rc.Namespace, rc.Info.Name) ?? throw ApiException.NotFound(rt, rc.Info.Name);
            if (pre?["uid"]?.GetValue<string>() is { } uid && uid != current.Uid)
            {
                throw ApiException.Conflict(rt, rc.Info.Name);
            }
            if (pre?["resourceVersion"]?.GetValue<string>() is { } prv && prv != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(rt, rc.Info.Name);
            }
            try
            {
                (result, gone) = Delete(rc, current, propagation, dryRun);
                break;
            }
            catch (ApiException e) when (e.Reason == "Conflict" && attempt < MaxConflictRetries)
            {
                // Written in between: delete the newer state (its preconditions, if any, are checked again).
            }
        }
        if (gone && !rt.DeleteReturnsObject)
        {
            var details = ApiException.DetailsOf(rt, rc.Info.Name);
            details["uid"] = current.Uid;
            await Responses.WriteJsonAsync(rc.Http, new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = details,
            }, 200);
            return;
        }
        // Upstream answers 202 for a pending deletion only when the client set orphanDependents=false explicitly.
        var accepted = !gone && options?["orphanDependents"] is JsonValue orphan && orphan.TryGetValue<bool>(out var o) && !o;
        await Responses.WriteObjectAsync(rc, result, accepted ? 202 : 200);
    }

    /// <summary>
    /// DeleteOptions from the body (kubectl sends <c>dryRun</c> there, not in the query) or the query: the options, the
    /// propagation policy and whether this is a dry run.
    /// </summary>
    private static async Task<(JsonObject? Options, string Propagation, bool DryRun)> ReadDeleteOptionsAsync(RequestContext rc)
    {
        var body = await rc.ReadBodyAsync();
        if (body is not null and not JsonObject)
        {
            throw ApiException.BadRequest("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: the body must be an object");
        }
        var options = body as JsonObject;
        CheckOption(options, "propagationPolicy", System.Text.Json.JsonValueKind.String, "v1.DeletionPropagation");
        CheckOption(options, "orphanDependents", System.Text.Json.JsonValueKind.True, "bool");
        CheckOption(options, "gracePeriodSeconds", System.Text.Json.JsonValueKind.Number, "int64");
        CheckOption(options, "dryRun", System.Text.Json.JsonValueKind.Array, "[]string");
        CheckOption(options, "preconditions", System.Text.Json.JsonValueKind.Object, "v1.Preconditions");
        var propagation = options?.GetString("propagationPolicy") ?? rc.Query("propagationPolicy")
            ?? (options?["orphanDependents"]?.GetValue<bool>() == true ? "Orphan" : "Background");
        if (propagation is not ("Background" or "Foreground" or "Orphan"))
        {
            throw ApiException.BadRequest($"propagationPolicy: Unsupported value: \"{propagation}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }
        var dryRun = rc.DryRun || options?["dryRun"] is JsonArray values && values.Any(v => v?.GetValue<string>() == "All");
        return (options, propagation, dryRun);
    }

    private static void CheckOption(JsonObject? options, string field, System.Text.Json.JsonValueKind kind, string goType)
    {
        var actual = options?[field]?.GetValueKind();
        if (actual is null || actual == kind || kind == System.Text.Json.JsonValueKind.True && actual == System.Text.Json.JsonValueKind.False)
        {
            return;
        }
        var jsonType = actual switch
        {
            System.Text.Json.JsonValueKind.Object => "object",
            System.Text.Json.JsonValueKind.Array => "array",
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.Number => "number",
            _ => "bool",
        };
        throw ApiException.BadRequest($"DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: json: cannot unmarshal {jsonType} into Go struct field DeleteOptions.{field} of type {goType}");
    }

    private (JsonObject Result, bool Gone) Delete(RequestContext rc, StoredObject current, string propagation, bool dryRun)
    {
        try
        {
            var (result, gone) = lifecycle.Delete(current, propagation, dryRun);
            return (AsVersion(rc.Resource, result), gone);
        }
        catch (StorageConflictException)
        {
            throw ApiException.Conflict(rc.Resource, current.Name);
        }
    }

    private async Task DeleteCollectionAsync(RequestContext rc)
    {
        var (_, propagation, dryRun) = await ReadDeleteOptionsAsync(rc);
        var labels = ParseLabels(rc.Query("labelSelector"));
        var fields = ParseFields(rc.Resource, rc.Query("fieldSelector"));
        var (items, rv) = store.List(rc.Resource.StorageKey, rc.Namespace);
        var deleted = new List<StoredObject>();
        foreach (var o in items.Where(o => labels.Matches(o.Labels) && fields.Matches(f => FieldValue(o, f))).ToList())
        {
            for (var attempt = 0; ; attempt++)
            {
                var current = store.Get(o.StorageKey, o.Namespace, o.Name);
                if (current is null)
                {
                    break;
                }
                try
                {
                    Delete(rc, current, propagation, dryRun);
                    deleted.Add(current);
                    break;
                }
                catch (ApiException e) when (e.Reason == "Conflict" && attempt < MaxConflictRetries)
                {
                }
            }
        }
        await Responses.WriteListAsync(rc, deleted, rv, null);
    }

    /// <summary>
    /// The scale subresource: an autoscaling/v1 Scale view of the object's replicas (GET), and writes (PUT, or a
    /// JSON/merge/strategic patch of the Scale) that change only the replicas field of the object itself.
    /// </summary>
    private async Task ScaleAsync(RequestContext rc)
    {
        var rt = rc.Resource;
        var paths = rt.Scale!;
        var verb = rc.Info.Verb;
        if (verb == "get")
        {
            var stored = store.Get(rt.StorageKey, rc.Namespace, rc.Info.Name) ?? throw ApiException.NotFound(rt, rc.Info.Name);
            await Responses.WriteJsonAsync(rc.Http, ScaleOf(rt, stored.Object), 200);
            return;
        }
        if (verb is not ("update" or "patch"))
        {
            throw ApiException.MethodNotAllowed();
        }
        if (verb == "patch" && rc.ContentType is not ("application/merge-patch+json" or "application/json-patch+json" or "application/strategic-merge-patch+json"))
        {
            throw new ApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
        }
        var body = await rc.ReadBodyAsync() ?? throw ApiException.BadRequest("the request body is empty");
        for (var attempt = 0; ; attempt++)
        {
            var current = store.Get(rt.StorageKey, rc.Namespace, rc.Info.Name) ?? throw ApiException.NotFound(rt, rc.Info.Name);
            var desired = verb == "update"
                ? body as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object")
                : ApplyPatch(ScaleType, rc.ContentType, ScaleOf(rt, current.Object), body);
            var precondition = desired.ResourceVersion();
            if (!string.IsNullOrEmpty(precondition) && precondition != current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(rt, rc.Info.Name);
            }
            var replicasNode = desired["spec"]?["replicas"];
            long replicas = 0;
            if (replicasNode is not null && !(replicasNode is JsonValue v && v.TryGetValue(out replicas)))
            {
                throw ApiException.BadRequest($"unable to decode the Scale: spec.replicas: {replicasNode.ToJsonString()} is not an integer");
            }
            if (replicas < 0)
            {
                throw ApiException.Invalid(ScaleType, rc.Info.Name, ("spec.replicas", "FieldValueInvalid", $"Invalid value: {replicas}: must be greater than or equal to 0"));
            }
            var candidate = current.Clone();
            SetPath(candidate, paths.SpecReplicasPath, replicas);
            var now = clock.GetUtcNow();
            var next = ObjectRules.PrepareForUpdate(rt, current.Clone(), candidate, "scale", rc.Namespace);
            next = fieldManager.RecordUpdate(current.Object, next, rc.FieldManager("unknown"), now, "scale");
            try
            {
                await Responses.WriteJsonAsync(rc.Http, ScaleOf(rt, Commit(rc, current, next)), 200);
                return;
            }
            catch (ApiException e) when (e.Reason == "Conflict" && attempt < MaxConflictRetries && string.IsNullOrEmpty(precondition))
            {
            }
        }
    }

    /// <summary>What upstream names the errors of a Scale (Scale.autoscaling, details.kind "Scale").</summary>
    private static readonly ResourceType ScaleType = new("autoscaling", "v1", "Scale", "scale", "Scale", true, [], false, []);

    private static JsonObject ScaleOf(ResourceType rt, JsonObject obj)
    {
        var paths = rt.Scale!;
        var meta = obj.Metadata();
        var metadata = new JsonObject { ["name"] = obj.Name() };
        foreach (var key in new[] { "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (meta[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
        }
        // Built-in workloads default spec.replicas to 1; a custom resource without the field has 0.
        var specReplicas = JsonPath.Evaluate(obj, paths.SpecReplicasPath) is JsonValue sv && sv.TryGetValue<long>(out var sr) ? sr : rt.BuiltIn ? 1 : 0;
        var status = new JsonObject
        {
            ["replicas"] = JsonPath.Evaluate(obj, paths.StatusReplicasPath) is JsonValue tv && tv.TryGetValue<long>(out var tr) ? tr : 0,
        };
        var selector = paths.LabelSelectorPath is null
            ? TableConverter.SelectorText(obj["spec"]?["selector"]) is var text && text != "<none>" ? text : null
            : paths.LabelSelectorPath.Length > 0 && JsonPath.Evaluate(obj, paths.LabelSelectorPath) is JsonValue lv && lv.TryGetValue<string>(out var ls) ? ls : null;
        if (!string.IsNullOrEmpty(selector))
        {
            status["selector"] = selector;
        }
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = specReplicas },
            ["status"] = status,
        };
    }

    /// <summary>Sets <c>.a.b.c</c> in <paramref name="obj"/>, making the maps on the way.</summary>
    private static void SetPath(JsonObject obj, string path, long value)
    {
        var parts = path.TrimStart('.').Split('.');
        var node = obj;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }
            node = child;
        }
        node[parts[^1]] = value;
    }

    private JsonObject Commit(RequestContext rc, StoredObject? current, JsonObject next)
    {
        try
        {
            return AsVersion(rc.Resource, lifecycle.Write(rc.Resource.StorageKey, current, next, rc.DryRun));
        }
        catch (StorageConflictException)
        {
            throw current is null ? ApiException.AlreadyExists(rc.Resource, next.Name() ?? "") : ApiException.Conflict(rc.Resource, current.Name);
        }
    }

    private void CheckNamespaceActive(ResourceType rt, string ns, string? name)
    {
        if (!rt.Namespaced)
        {
            return;
        }
        var nsObj = store.Get("/namespaces", null, ns) ?? throw ApiException.NotFound(registry.Find("", "v1", "namespaces")!, ns);
        if (nsObj.Object.Metadata()["deletionTimestamp"] is not null)
        {
            throw ApiException.Forbidden(rt, name, $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    /// <summary>An integer query parameter (null when absent); 400 when it is not a number, as the parameter codec answers.</summary>
    internal static long? IntegerQuery(RequestContext rc, string name)
    {
        var text = rc.Query(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiException.BadRequest($"strconv.ParseInt: parsing \"{text}\": invalid syntax");
    }

    private static string? Sub(RequestContext rc) => rc.Info.Subresource.Length > 0 ? rc.Info.Subresource : null;

    // A JSON patch is an array: its precondition, if any, shows in the patched object instead.
    private static bool HasPrecondition(JsonNode patch) => patch is JsonObject o && o["metadata"]?["resourceVersion"] is not null;

    /// <summary>The object as seen through the requested version (custom resources are stored once, conversion None).</summary>
    internal static JsonObject AsVersion(ResourceType rt, JsonObject obj)
    {
        if (obj.ApiVersion() == rt.GroupVersion)
        {
            return obj;
        }
        var copy = (JsonObject)obj.DeepClone();
        copy["apiVersion"] = rt.GroupVersion;
        return copy;
    }

    internal static LabelSelector ParseLabels(string? text)
    {
        try
        {
            return LabelSelector.Parse(text);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    internal static FieldSelector ParseFields(ResourceType rt, string? text)
    {
        FieldSelector selector;
        try
        {
            selector = FieldSelector.Parse(text);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        foreach (var f in selector.Fields)
        {
            if (!SelectableFields(rt).Contains(f))
            {
                throw ApiException.BadRequest($"field label not supported: {f}");
            }
        }
        return selector;
    }

    internal static string? FieldValue(StoredObject o, string field) => field switch
    {
        "metadata.name" => o.Name,
        "metadata.namespace" => o.Namespace,
        _ => JsonPath.Evaluate(o.Object, "." + field) is JsonValue v ? v.ToString() : null,
    };

    private static IReadOnlyCollection<string> SelectableFields(ResourceType rt) => (rt.BuiltIn ? rt.Plural : "") switch
    {
        "pods" => ["metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
        "events" => ["metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        "secrets" => ["metadata.name", "metadata.namespace", "type"],
        "nodes" => ["metadata.name", "spec.unschedulable"],
        "namespaces" => ["metadata.name", "status.phase"],
        "replicasets" or "replicationcontrollers" => ["metadata.name", "metadata.namespace", "status.replicas"],
        "jobs" => ["metadata.name", "metadata.namespace", "status.successful"],
        _ => ["metadata.name", "metadata.namespace"],
    };
}

/// <summary>Opaque list continuation: the snapshot resourceVersion and the last key returned.</summary>
internal static class ContinueToken
{
    public static string Create(long rv, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{rv}|{lastKey}"));

    /// <summary>The snapshot resourceVersion and the last key returned, or null without a token.</summary>
    public static (long ResourceVersion, string LastKey)? Parse(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|');
            return bar > 0 && long.TryParse(text.AsSpan(0, bar), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rv)
                ? (rv, text[(bar + 1)..])
                : throw new FormatException();
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest("continue key is not valid: illegal base64 data");
        }
    }
}
