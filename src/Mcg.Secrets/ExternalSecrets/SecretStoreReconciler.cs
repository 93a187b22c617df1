using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// Validates a SecretStore or ClusterSecretStore as ESO does: the spec, then a client (CA, credentials, Vault login).
/// Status: one Ready condition (Valid / InvalidStoreConfiguration / InvalidProviderConfig) and <c>capabilities</c>.
/// A ClusterSecretStore whose credentials have no namespace is referent: it is checked per ExternalSecret instead.
/// </summary>
public sealed class SecretStoreReconciler(IKubeClient kube, Informer stores, VaultStoreClients clients, EventRecorder events,
    ILogger<SecretStoreReconciler> logger, TimeProvider? clock = null) : IReconciler
{
    private static readonly TimeSpan Revalidate = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RetryInvalid = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var store = stores.GetByKey(key);
        if (store is null || store.Metadata()["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done;
        }
        VaultStoreSpec spec;
        try
        {
            spec = VaultStoreSpec.Parse(store);
        }
        catch (EsoSpecException e)
        {
            await SetStatusAsync(store, false, EsoResources.StoreReasonInvalidStore, e.Message, ct);
            return ReconcileResult.Done;
        }
        var refNamespace = store.Namespace() ?? spec.Kubernetes?.ServiceAccountNamespace ?? spec.Kubernetes?.SecretRef?.Namespace ?? spec.TokenSecretRef?.Namespace;
        var referent = refNamespace is null || store.Namespace() is null && (spec.Kubernetes is { ServiceAccountName: not null, ServiceAccountNamespace: null }
            || spec.Kubernetes?.SecretRef is { Namespace: null } || spec.TokenSecretRef is { Namespace: null });
        if (!referent)
        {
            try
            {
                await clients.GetAsync(store, spec, refNamespace!, ct);
            }
            catch (Exception e) when (e is VaultApiException or HttpRequestException or TaskCanceledException or InvalidOperationException or KubeApiException or FormatException)
            {
                if (e is TaskCanceledException && ct.IsCancellationRequested)
                {
                    throw;
                }
                var detail = ExternalSecretReconciler.Flatten(e);
                logger.LogWarning("{Kind} {Key}: {Message}", store.Kind(), key, detail);
                if (await SetStatusAsync(store, false, EsoResources.StoreReasonInvalidProviderConfig, EsoResources.StoreMessageNoClient, ct))
                {
                    await events.RecordAsync(store, EsoResources.EventComponent, EventRecorder.Warning, EsoResources.StoreReasonInvalidProviderConfig, detail, ct);
                }
                return ReconcileResult.After(RetryInvalid);
            }
        }
        await SetStatusAsync(store, true, EsoResources.StoreReasonValid, EsoResources.StoreMessageValid, ct);
        return ReconcileResult.After(Revalidate);
    }

    private async Task<bool> SetStatusAsync(JsonObject store, bool ready, string reason, string message, CancellationToken ct)
    {
        var current = store["status"] as JsonObject;
        var status = new JsonObject
        {
            ["conditions"] = EsoConditions.Ready(current, ready, reason, message, _clock.GetUtcNow()),
            ["capabilities"] = "ReadWrite",
        };
        if (JsonNode.DeepEquals(status, current))
        {
            return false;
        }
        var resource = store.Namespace() is null ? EsoResources.ClusterSecretStores : EsoResources.SecretStores;
        await kube.PatchAsync(resource, store.Namespace(), store.Name()!, PatchType.Merge, new JsonObject { ["status"] = status },
            new PatchOptions { Subresource = "status", FieldManager = "external-secrets" }, ct);
        return true;
    }
}
