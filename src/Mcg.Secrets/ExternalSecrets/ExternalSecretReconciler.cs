using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// ExternalSecret → Secret, as ESO's reconciler: refresh when the ExternalSecret changed (generation or metadata
/// hash), when <c>refreshInterval</c> has passed, or when the target Secret is missing or was edited (its data no
/// longer matches the data-hash annotation); fetch from the store's Vault; render the template; write the Secret
/// according to <c>creationPolicy</c>; report one Ready condition. A failed fetch (Vault sealed, unreachable,
/// denied) never touches the existing Secret.
/// </summary>
public sealed class ExternalSecretReconciler(
    IKubeClient kube, Informer externalSecrets, StoreResolver stores, VaultStoreClients clients, EventRecorder events,
    ILogger<ExternalSecretReconciler> logger, TimeProvider? clock = null, EsoMetrics? metrics = null) : IReconciler
{
    private readonly EsoMetrics _metrics = metrics ?? EsoMetrics.Shared;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var es = externalSecrets.GetByKey(key);
        if (es is null || es.Metadata()["deletionTimestamp"] is not null)
        {
            // Owned Secrets go with their ExternalSecret through the garbage collector.
            return ReconcileResult.Done;
        }
        var ns = es.Namespace()!;
        ExternalSecretSpec spec;
        try
        {
            spec = ExternalSecretSpec.Parse(es);
        }
        catch (EsoSpecException e)
        {
            await FailAsync(es, e.Message, ct);
            return ReconcileResult.Done;
        }
        var now = _clock.GetUtcNow();
        var syncedVersion = SyncedResourceVersion(es);
        var existing = await kube.GetAsync(ResourceRef.Secrets, ns, spec.TargetName, ct);
        if (!ShouldRefresh(es, spec, syncedVersion, now) && IsSecretValid(existing, spec))
        {
            return NextRefresh(es, spec, now);
        }
        _metrics.Sync(es);

        Dictionary<string, byte[]> data;
        VaultStoreClient? client = null;
        try
        {
            var (store, storeSpec) = await stores.ResolveAsync(ns, spec, ct);
            client = await clients.GetAsync(store, storeSpec, ns, ct);
            data = await FetchAsync(client, spec, ct);
        }
        catch (AllRemoteKeysMissingException) when (spec.DeletionPolicy == "Delete")
        {
            return await DeleteTargetAsync(es, spec, existing, syncedVersion, now, ct);
        }
        catch (Exception e) when (e is VaultApiException or HttpRequestException or TaskCanceledException or NoSecretException or KeyNotFoundException
            or InvalidOperationException or KubeApiException or EsoSpecException or FormatException)
        {
            if (e is TaskCanceledException && ct.IsCancellationRequested)
            {
                throw;
            }
            if (e is VaultApiException { StatusCode: 403 } && client is not null)
            {
                clients.Invalidate(client);
            }
            logger.LogWarning("ExternalSecret {Key}: {Message}", key, Flatten(e));
            await FailAsync(es, Flatten(e), ct);
            return ReconcileResult.After(RetryDelay(spec));
        }

        try
        {
            var rendered = Render(spec, data, es);
            var wrote = await WriteTargetAsync(es, spec, existing, rendered, data, ct);
            if (!wrote)
            {
                await SetStatusAsync(es, false, EsoResources.ReasonSecretMissing, EsoResources.MessageMissing, null, ct);
                return ReconcileResult.After(RetryDelay(spec));
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or InvalidOperationException)
        {
            await FailAsync(es, Flatten(e), ct);
            return ReconcileResult.After(RetryDelay(spec));
        }
        catch (KubeApiException e) when (e.IsConflict || e.IsAlreadyExists)
        {
            return ReconcileResult.RequeueNow;
        }
        await SetStatusAsync(es, true, EsoResources.ReasonSecretSynced, EsoResources.MessageSynced, (now, syncedVersion), ct);
        return spec.RefreshInterval > TimeSpan.Zero && spec.RefreshPolicy == "Periodic" ? ReconcileResult.After(spec.RefreshInterval) : ReconcileResult.Done;
    }

    /// <summary><c>"&lt;generation&gt;-&lt;hash of annotations and labels&gt;"</c>, as ESO's <c>GetResourceVersion</c>.</summary>
    public static string SyncedResourceVersion(JsonObject es) =>
        $"{es.Metadata()["generation"]?.GetValue<long>() ?? 0}-{GoObjectHash.OfMeta(es.Annotations(), es.Labels())}";

    /// <summary>ESO's <c>shouldRefresh</c> for the three refresh policies.</summary>
    public static bool ShouldRefresh(JsonObject es, ExternalSecretSpec spec, string syncedVersion, DateTimeOffset now)
    {
        var status = es["status"] as JsonObject;
        var synced = status?.GetString("syncedResourceVersion") ?? "";
        var refreshed = status?.GetString("refreshTime") is { } t && DateTimeOffset.TryParse(t, out var at) ? at : (DateTimeOffset?)null;
        switch (spec.RefreshPolicy)
        {
            case "CreatedOnce":
                return synced.Length == 0 || refreshed is null;
            case "OnChange":
                return synced != syncedVersion;
        }
        if (spec.RefreshInterval <= TimeSpan.Zero && synced.Length > 0)
        {
            return false;
        }
        if (synced != syncedVersion || refreshed is null || refreshed > now)
        {
            return true;
        }
        return refreshed.Value + spec.RefreshInterval < now;
    }

    /// <summary>ESO's <c>isSecretValid</c>: the target exists and its data still matches the hash written with it.</summary>
    public static bool IsSecretValid(JsonObject? secret, ExternalSecretSpec spec)
    {
        if (spec.CreationPolicy == "None")
        {
            return true;
        }
        if (secret is null)
        {
            return false;
        }
        return secret.Annotations().TryGetValue(EsoResources.DataHashAnnotation, out var hash) && hash == GoObjectHash.OfData(SecretData(secret));
    }

    public static Dictionary<string, byte[]> SecretData(JsonObject? secret)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in secret?["data"] as JsonObject ?? [])
        {
            data[k] = v is null ? [] : Convert.FromBase64String(v.GetValue<string>());
        }
        foreach (var (k, v) in secret?["stringData"] as JsonObject ?? [])
        {
            data[k] = Encoding.UTF8.GetBytes(v?.GetValue<string>() ?? "");
        }
        return data;
    }

    private ReconcileResult NextRefresh(JsonObject es, ExternalSecretSpec spec, DateTimeOffset now)
    {
        if (spec.RefreshPolicy != "Periodic" || spec.RefreshInterval <= TimeSpan.Zero)
        {
            return ReconcileResult.Done;
        }
        var refreshed = es["status"]?["refreshTime"]?.GetValue<string>() is { } t && DateTimeOffset.TryParse(t, out var at) ? at : now;
        var remaining = refreshed + spec.RefreshInterval - now;
        // refreshTime has one-second precision: never spin, never wait longer than the interval.
        return ReconcileResult.After(remaining < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : remaining > spec.RefreshInterval ? spec.RefreshInterval : remaining);
    }

    private static TimeSpan RetryDelay(ExternalSecretSpec spec) =>
        spec.RefreshInterval <= TimeSpan.Zero ? TimeSpan.FromSeconds(30) : TimeSpan.FromTicks(Math.Clamp(spec.RefreshInterval.Ticks, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));

    /// <summary>dataFrom first, then data (explicit keys win), as ESO merges them. Missing keys follow deletionPolicy.</summary>
    private static async Task<Dictionary<string, byte[]>> FetchAsync(VaultStoreClient client, ExternalSecretSpec spec, CancellationToken ct)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var missing = 0;
        foreach (var remote in spec.DataFrom)
        {
            try
            {
                foreach (var (k, v) in await client.GetSecretMapAsync(remote, ct))
                {
                    result[k] = v;
                }
            }
            catch (NoSecretException) when (spec.DeletionPolicy != "Retain")
            {
                missing++;
            }
        }
        foreach (var item in spec.Data)
        {
            try
            {
                result[item.SecretKey] = await client.GetSecretAsync(item.Ref, ct);
            }
            catch (NoSecretException) when (spec.DeletionPolicy != "Retain")
            {
                missing++;
            }
        }
        if (missing > 0 && result.Count == 0 && spec.DeletionPolicy == "Delete")
        {
            throw new AllRemoteKeysMissingException();
        }
        return result;
    }

    /// <summary>The Secret's data, type, labels and annotations after the template (or the provider data as is).</summary>
    private static RenderedSecret Render(ExternalSecretSpec spec, Dictionary<string, byte[]> data, JsonObject es)
    {
        var template = spec.Template;
        if (template is null || template.Data.Count == 0)
        {
            return new RenderedSecret(data, template?.Type, template?.Labels ?? new Dictionary<string, string>(), template?.Annotations ?? new Dictionary<string, string>());
        }
        var values = data.ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value), StringComparer.Ordinal);
        var result = template.MergePolicy == "Merge" ? new Dictionary<string, byte[]>(data, StringComparer.Ordinal) : new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, text) in template.Data)
        {
            try
            {
                result[k] = Encoding.UTF8.GetBytes(SecretTemplate.Render(text, values, k));
            }
            catch (Exception e) when (e is FormatException or KeyNotFoundException)
            {
                throw new FormatException($"ExternalSecret {ObjectKeys.KeyOf(es)}: could not apply template to spec.target.template.data.{k}: {e.Message}");
            }
        }
        return new RenderedSecret(result, template.Type, template.Labels, template.Annotations);
    }

    /// <summary>Writes the target; false when creationPolicy Merge finds no Secret to merge into.</summary>
    private async Task<bool> WriteTargetAsync(JsonObject es, ExternalSecretSpec spec, JsonObject? existing, RenderedSecret rendered, Dictionary<string, byte[]> fetched, CancellationToken ct)
    {
        if (spec.CreationPolicy == "None")
        {
            return true;
        }
        if (spec.CreationPolicy == "Merge" && existing is null)
        {
            return false;
        }
        var secret = existing?.DeepClone() as JsonObject ?? new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = spec.TargetName, ["namespace"] = es.Namespace() },
        };
        var meta = secret.Metadata();
        Dictionary<string, byte[]> data;
        if (spec.CreationPolicy == "Merge")
        {
            data = SecretData(existing);
            // deletionPolicy Merge: keys whose remote value disappeared are removed, the Secret's other keys stay.
            foreach (var item in spec.Data.Where(d => !fetched.ContainsKey(d.SecretKey) && !rendered.Data.ContainsKey(d.SecretKey)))
            {
                data.Remove(item.SecretKey);
            }
            foreach (var (k, v) in rendered.Data)
            {
                data[k] = v;
            }
        }
        else
        {
            data = rendered.Data;
            if (spec.CreationPolicy == "Owner")
            {
                SetOwner(es, meta);
            }
            var labels = meta["labels"] as JsonObject ?? new JsonObject();
            labels[EsoResources.ManagedLabel] = "true";
            meta["labels"] = labels;
        }
        foreach (var (k, v) in rendered.Labels)
        {
            (meta["labels"] ??= new JsonObject())[k] = v;
        }
        var annotations = meta["annotations"] as JsonObject ?? new JsonObject();
        foreach (var (k, v) in rendered.Annotations)
        {
            annotations[k] = v;
        }
        annotations[EsoResources.DataHashAnnotation] = GoObjectHash.OfData(data);
        meta["annotations"] = annotations;
        secret.Remove("stringData");
        secret["data"] = new JsonObject(data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert.ToBase64String(p.Value))));
        secret["type"] = rendered.Type ?? existing?.GetString("type") ?? "Opaque";
        if (existing is null)
        {
            await kube.CreateAsync(ResourceRef.Secrets, secret, new WriteOptions { FieldManager = "external-secrets" }, ct);
            await events.RecordAsync(es, EsoResources.EventComponent, EventRecorder.Normal, "Created", "Created Secret", ct);
        }
        else if (!JsonNode.DeepEquals(secret, existing))
        {
            await kube.UpdateAsync(ResourceRef.Secrets, secret, new WriteOptions { FieldManager = "external-secrets" }, ct);
            await events.RecordAsync(es, EsoResources.EventComponent, EventRecorder.Normal, "Updated", "Updated Secret", ct);
        }
        return true;
    }

    /// <summary>creationPolicy Owner: the ExternalSecret becomes the Secret's controller; a Secret controlled by another object is refused.</summary>
    private static void SetOwner(JsonObject es, JsonObject meta)
    {
        var owners = meta["ownerReferences"] as JsonArray ?? new JsonArray();
        var controller = owners.OfType<JsonObject>().FirstOrDefault(o => o["controller"]?.GetValue<bool>() == true);
        if (controller is not null && controller.GetString("uid") != es.Uid())
        {
            throw new InvalidOperationException(
                $"target secret {es.Namespace()}/{meta.GetString("name")} is already controlled by {controller.GetString("kind")} {controller.GetString("name")}");
        }
        if (controller is null)
        {
            owners.Add(new JsonObject
            {
                ["apiVersion"] = es.ApiVersion(),
                ["kind"] = es.Kind(),
                ["name"] = es.Name(),
                ["uid"] = es.Uid(),
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        }
        meta["ownerReferences"] = owners;
    }

    /// <summary>deletionPolicy Delete and every remote key is gone: an owned Secret is deleted (ESO's SecretDeleted).</summary>
    private async Task<ReconcileResult> DeleteTargetAsync(JsonObject es, ExternalSecretSpec spec, JsonObject? existing, string syncedVersion, DateTimeOffset now, CancellationToken ct)
    {
        if (spec.CreationPolicy != "Owner")
        {
            await FailAsync(es, $"deletionPolicy Delete removes only Secrets the ExternalSecret owns (creationPolicy is {spec.CreationPolicy}); the Secret was kept", ct);
            return ReconcileResult.After(RetryDelay(spec));
        }
        if (existing is not null)
        {
            await kube.DeleteAsync(ResourceRef.Secrets, es.Namespace(), spec.TargetName, null, ct);
            await events.RecordAsync(es, EsoResources.EventComponent, EventRecorder.Normal, "Deleted", "secret deleted because the provider has no data (deletionPolicy Delete)", ct);
        }
        await SetStatusAsync(es, true, EsoResources.ReasonSecretDeleted, EsoResources.MessageDeleted, (now, syncedVersion), ct);
        return spec.RefreshInterval > TimeSpan.Zero ? ReconcileResult.After(spec.RefreshInterval) : ReconcileResult.Done;
    }

    private async Task FailAsync(JsonObject es, string detail, CancellationToken ct)
    {
        _metrics.Error(es);
        var changed = await SetStatusAsync(es, false, EsoResources.ReasonSecretSyncedError, EsoResources.MessageProviderError, null, ct);
        if (changed)
        {
            await events.RecordAsync(es, EsoResources.EventComponent, EventRecorder.Warning, "UpdateFailed", detail, ct);
        }
    }

    /// <summary>Patches the status when it changed; on success also refreshTime and syncedResourceVersion. Returns whether the Ready condition changed.</summary>
    private async Task<bool> SetStatusAsync(JsonObject es, bool ready, string reason, string message, (DateTimeOffset At, string Version)? synced, CancellationToken ct)
    {
        var current = es["status"] as JsonObject;
        var status = current?.DeepClone() as JsonObject ?? new JsonObject();
        var conditions = EsoConditions.Ready(current, ready, reason, message, _clock.GetUtcNow());
        var conditionChanged = !JsonNode.DeepEquals(conditions, current?["conditions"]);
        status["conditions"] = conditions;
        status["binding"] = new JsonObject { ["name"] = TargetName(es) };
        if (synced is { } s)
        {
            status["refreshTime"] = EsoConditions.Timestamp(s.At);
            status["syncedResourceVersion"] = s.Version;
        }
        if (!JsonNode.DeepEquals(status, current))
        {
            await kube.PatchAsync(EsoResources.ExternalSecrets, es.Namespace(), es.Name()!, PatchType.Merge, new JsonObject { ["status"] = status },
                new PatchOptions { Subresource = "status", FieldManager = "external-secrets" }, ct);
        }
        return conditionChanged;
    }

    private static string TargetName(JsonObject es) => (es["spec"]?["target"] as JsonObject)?.GetString("name") is { Length: > 0 } n ? n : es.Name()!;

    /// <summary>One line for events and logs; Vault errors as "Vault answered 503: Vault is sealed (URL: GET /v1/…)".</summary>
    public static string Flatten(Exception e) => e is VaultApiException v
        ? $"Vault answered {v.StatusCode}: {string.Join("; ", v.Errors.Select(x => x.Replace("\n", " ", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal).Trim()))} ({v.Message.Split('\n').Skip(2).FirstOrDefault()})"
        : e.Message;

    private sealed record RenderedSecret(Dictionary<string, byte[]> Data, string? Type, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

    private sealed class AllRemoteKeysMissingException : Exception;
}
