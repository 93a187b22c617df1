using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Hub;

public sealed class ExternalVaultTokensOptions
{
    /// <summary>
    /// The tokens are periodic: each renewal gives them this TTL again, with no maximum, so a cluster keeps its token
    /// while the hub runs, and a token the hub stops renewing (hub gone, cluster forgotten) dies within a period.
    /// </summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often each token is checked and renewed (a third of the period: two missed renewals are survived).</summary>
    public TimeSpan RenewEvery => Period / 3;

    /// <summary>Back-off after a Vault or API failure.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// External-Vault mode on the hub (<see cref="ExternalVaultConfig"/> present): for the hub (key <see cref="HubKey"/>)
/// and every accepted ManagedCluster, the policy <c>&lt;cluster&gt;-secret</c> of <see cref="VaultLayout"/> in the user's
/// Vault, an orphan periodic token limited to it, and the <c>vault-backend</c> ClusterSecretStore with token auth plus
/// the Secret its <c>tokenSecretRef</c> names — applied directly on the hub, and through the ManifestWork
/// <see cref="SpokeVaultInit.WorkName"/> in the cluster's namespace for a managed cluster (pull model: the hub holds no
/// cluster credential). Tokens are renewed by accessor, replaced when they are gone, and revoked when their cluster is
/// deleted (a finalizer on the ManagedCluster makes sure of that). Tokens are never logged.
/// </summary>
public sealed class ExternalVaultTokens(IKubeClient hub, Func<string, JsonObject?> clusters, Func<ExternalVaultConfig?> config, ILogger<ExternalVaultTokens> logger,
    ExternalVaultTokensOptions? options = null, TimeProvider? clock = null) : IReconciler, IDisposable
{
    public const string HubKey = "@hub";
    public const string Finalizer = "mcg.io/vault-token-cleanup";
    public const string AccessorAnnotation = "mcg.io/vault-token-accessor";

    /// <summary>The writer of the hub's own store objects (as <see cref="HubSecrets"/>): one owner, so token auth replaces Kubernetes auth.</summary>
    public const string HubFieldManager = "mcg-hub-secrets";

    /// <summary>The writer of the <c>vault-backend</c> work (as <see cref="SpokeVaultInit"/>): one owner, so the token store replaces the other.</summary>
    public const string WorkFieldManager = "mcg-spoke-vault-init";

    private readonly ExternalVaultTokensOptions _options = options ?? new ExternalVaultTokensOptions();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    // Per key: the accessor last checked and when, so that heartbeats of a ManagedCluster cost no Vault call.
    private readonly ConcurrentDictionary<string, (string Accessor, DateTimeOffset At)> _checked = new(StringComparer.Ordinal);
    private (ExternalVaultConfig Config, VaultClient Client)? _vault;
    private readonly Lock _vaultLock = new();

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (config() is not { } cfg)
        {
            // Not in external mode (any more): mcg uninstall revoked the tokens. A deleted cluster must not wait for a
            // revocation nobody can do now.
            _checked.Clear();
            if (key != HubKey && clusters(key) is { } gone && gone.Metadata()["deletionTimestamp"] is not null && gone.Finalizers().Contains(Finalizer))
            {
                await SetFinalizersAsync(hub, key, gone.Finalizers().Where(f => f != Finalizer), ct);
            }
            return ReconcileResult.Done;
        }
        try
        {
            return await EnsureKeyAsync(key, cfg, ct);
        }
        catch (Exception e) when (e is VaultApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Vault token of {Target} at {Vault}: {Message}", Describe(key), cfg.Address, ExternalSecretReconciler.Flatten(e));
            return ReconcileResult.After(_options.RetryAfter);
        }
    }

    /// <summary>One pass for <paramref name="key"/> that throws what Vault or the API answered (mcg install reports it).</summary>
    public Task<ReconcileResult> EnsureKeyAsync(string key, CancellationToken ct) =>
        EnsureKeyAsync(key, config() ?? throw new InvalidOperationException("not in external Vault mode"), ct);

    private async Task<ReconcileResult> EnsureKeyAsync(string key, ExternalVaultConfig cfg, CancellationToken ct)
    {
        if (key == HubKey)
        {
            return await EnsureAsync(key, new HubTarget(hub), VaultLayout.HubMount, cfg, ct);
        }
        var cluster = clusters(key);
        if (cluster is null || cluster.Metadata()["deletionTimestamp"] is not null)
        {
            await RemoveAsync(key, new WorkTarget(hub, key), cfg, ct);
            if (cluster is not null && cluster.Finalizers().Contains(Finalizer))
            {
                await SetFinalizersAsync(hub, key, cluster.Finalizers().Where(f => f != Finalizer), ct);
            }
            return ReconcileResult.Done;
        }
        if (cluster["spec"]?["hubAcceptsClient"]?.GetValue<bool>() != true)
        {
            return ReconcileResult.Done;
        }
        if (VaultLayout.ReservedMounts.Contains(key))
        {
            logger.LogWarning("managed cluster {Cluster}: its name is a reserved Vault path; it gets no Vault token", key);
            return ReconcileResult.Done;
        }
        if (!cluster.Finalizers().Contains(Finalizer))
        {
            await SetFinalizersAsync(hub, key, [.. cluster.Finalizers(), Finalizer], ct);
        }
        return await EnsureAsync(key, new WorkTarget(hub, key), key, cfg, ct);
    }

    /// <summary>Issues, checks or renews the token of one target; a new token replaces (and revokes) an invalid or foreign one.</summary>
    private async Task<ReconcileResult> EnsureAsync(string key, ITokenTarget target, string name, ExternalVaultConfig cfg, CancellationToken ct)
    {
        var vault = Client(cfg);
        var now = _clock.GetUtcNow();
        var (accessor, server) = await target.ReadAsync(ct);
        if (accessor is not null && server == cfg.Address)
        {
            if (_checked.TryGetValue(key, out var last) && last.Accessor == accessor && now - last.At < _options.RenewEvery)
            {
                return ReconcileResult.After(_options.RenewEvery - (now - last.At));
            }
            if (await IsValidAsync(vault, accessor, VaultLayout.Policy(name), ct))
            {
                await vault.RenewAccessorAsync(accessor, ct: ct);
                _checked[key] = (accessor, now);
                return ReconcileResult.After(_options.RenewEvery);
            }
        }
        await vault.WritePolicyAsync(VaultLayout.Policy(name), VaultLayout.PolicyHcl(name), ct);
        var auth = await vault.CreateTokenAsync(new TokenCreateRequest
        {
            Policies = [VaultLayout.Policy(name)],
            NoParent = true, // the cluster's token must outlive a rotated or revoked management token
            Period = $"{(long)_options.Period.TotalSeconds}s",
            DisplayName = "mcg-" + name,
            Meta = new Dictionary<string, string> { ["cluster"] = name, ["created-by"] = "mcg" },
        }, ct);
        await target.DeliverAsync(VaultBackendStore.TokenObjects(cfg.Address, cfg.CaPem, auth.ClientToken), auth.Accessor, ct);
        _checked[key] = (auth.Accessor, now);
        if (accessor is not null)
        {
            await TryRevokeAsync(vault, accessor, ct);
        }
        logger.LogInformation("{Target}: new Vault token with policy {Policy} (periodic {Period}) delivered as Secret {Namespace}/{Secret} for ClusterSecretStore {Store}",
            Describe(key), VaultLayout.Policy(name), _options.Period, EsoServiceAccount.Namespace, VaultBackendStore.TokenSecret, VaultBackendStore.StoreName);
        return ReconcileResult.After(_options.RenewEvery);
    }

    private async Task RemoveAsync(string key, ITokenTarget target, ExternalVaultConfig cfg, CancellationToken ct)
    {
        _checked.TryRemove(key, out _);
        var (accessor, _) = await target.ReadAsync(ct);
        if (accessor is null)
        {
            return;
        }
        await TryRevokeAsync(Client(cfg), accessor, ct);
        await target.RemoveAsync(ct);
        logger.LogInformation("{Target}: Vault token revoked and its store removed", Describe(key));
    }

    /// <summary>
    /// What <c>mcg uninstall</c> undoes: every token this mode issued is revoked, the works and the hub's token Secret
    /// deleted, the finalizers dropped. Returns the number of tokens revoked.
    /// </summary>
    public static async Task<int> RemoveAllAsync(IKubeClient hub, ExternalVaultConfig cfg, CancellationToken ct)
    {
        using var vault = cfg.CreateClient();
        var targets = new List<ITokenTarget> { new HubTarget(hub) };
        targets.AddRange((await hub.ListAsync(SpokeVaultInit.ManifestWorks, null, null, ct)).Items
            .Where(w => w.Name() == SpokeVaultInit.WorkName && w.Annotations().ContainsKey(AccessorAnnotation))
            .Select(w => new WorkTarget(hub, w.Namespace()!)));
        var revoked = 0;
        foreach (var target in targets)
        {
            if ((await target.ReadAsync(ct)).Accessor is { } accessor)
            {
                await TryRevokeAsync(vault, accessor, ct);
                await target.RemoveAsync(ct);
                revoked++;
            }
        }
        foreach (var cluster in (await hub.ListAsync(SpokeVaultInit.ManagedClusters, null, null, ct)).Items.Where(c => c.Finalizers().Contains(Finalizer)))
        {
            await SetFinalizersAsync(hub, cluster.Name()!, cluster.Finalizers().Where(f => f != Finalizer), ct);
        }
        return revoked;
    }

    public void Dispose() => _vault?.Client.Dispose();

    private VaultClient Client(ExternalVaultConfig cfg)
    {
        lock (_vaultLock)
        {
            if (_vault is not { } current || current.Config != cfg)
            {
                _vault?.Client.Dispose();
                _vault = (cfg, cfg.CreateClient());
                _checked.Clear();
            }
            return _vault.Value.Client;
        }
    }

    private static async Task<bool> IsValidAsync(VaultClient vault, string accessor, string policy, CancellationToken ct)
    {
        try
        {
            var token = await vault.LookupAccessorAsync(accessor, ct);
            return (token["policies"] as JsonArray)?.Any(p => p?.GetValue<string>() == policy) == true;
        }
        catch (VaultApiException e) when (e.StatusCode == 400)
        {
            return false; // invalid accessor: expired (the hub was away for a period) or revoked by an admin
        }
    }

    private static async Task TryRevokeAsync(VaultClient vault, string accessor, CancellationToken ct)
    {
        try
        {
            await vault.RevokeAccessorAsync(accessor, ct);
        }
        catch (VaultApiException e) when (e.StatusCode == 400)
        {
            // already gone
        }
    }

    private static Task SetFinalizersAsync(IKubeClient hub, string cluster, IEnumerable<string> finalizers, CancellationToken ct) =>
        hub.PatchAsync(SpokeVaultInit.ManagedClusters, null, cluster, PatchType.Merge,
            new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray()) } }, null, ct);

    private static string Describe(string key) => key == HubKey ? "hub" : $"managed cluster {key}";

    /// <summary>Where a token goes, and where its accessor and the Vault address it was made for are read back from.</summary>
    private interface ITokenTarget
    {
        Task<(string? Accessor, string? Server)> ReadAsync(CancellationToken ct);
        Task DeliverAsync(IReadOnlyList<JsonObject> objects, string accessor, CancellationToken ct);
        Task RemoveAsync(CancellationToken ct);
    }

    /// <summary>The hub itself: the objects are applied on it; the accessor is an annotation of the token Secret.</summary>
    private sealed class HubTarget(IKubeClient hub) : ITokenTarget
    {
        public async Task<(string? Accessor, string? Server)> ReadAsync(CancellationToken ct)
        {
            var secret = await hub.GetAsync(ResourceRef.Secrets, EsoServiceAccount.Namespace, VaultBackendStore.TokenSecret, ct);
            if (secret?.Annotations().GetValueOrDefault(AccessorAnnotation) is not { } accessor)
            {
                return (null, null);
            }
            var store = await GetStoreAsync(ct);
            return (accessor, store?["spec"]?["provider"]?["vault"]?["auth"]?["tokenSecretRef"] is null ? null : store["spec"]?["provider"]?["vault"]?["server"]?.ToString());
        }

        public async Task DeliverAsync(IReadOnlyList<JsonObject> objects, string accessor, CancellationToken ct)
        {
            foreach (var obj in objects)
            {
                if (obj.Kind() == "Secret")
                {
                    obj.Metadata()["annotations"] = new JsonObject { [AccessorAnnotation] = accessor };
                }
                await hub.ApplyAsync(obj, new ApplyOptions(HubFieldManager) { Force = true }, ct);
            }
        }

        public async Task RemoveAsync(CancellationToken ct)
        {
            await hub.DeleteAsync(ResourceRef.Secrets, EsoServiceAccount.Namespace, VaultBackendStore.TokenSecret, null, ct);
            try
            {
                await hub.DeleteAsync(EsoResources.ClusterSecretStores, null, VaultBackendStore.StoreName, null, ct);
            }
            catch (KubeApiException e) when (e.StatusCode == 404)
            {
                // no ESO CRDs on this hub
            }
        }

        private async Task<JsonObject?> GetStoreAsync(CancellationToken ct)
        {
            try
            {
                return await hub.GetAsync(EsoResources.ClusterSecretStores, null, VaultBackendStore.StoreName, ct);
            }
            catch (KubeApiException e) when (e.StatusCode == 404)
            {
                return null;
            }
        }
    }

    /// <summary>A managed cluster: the objects travel in its <c>vault-backend</c> ManifestWork, which carries the accessor annotation.</summary>
    private sealed class WorkTarget(IKubeClient hub, string cluster) : ITokenTarget
    {
        public async Task<(string? Accessor, string? Server)> ReadAsync(CancellationToken ct)
        {
            var work = await hub.GetAsync(SpokeVaultInit.ManifestWorks, cluster, SpokeVaultInit.WorkName, ct);
            if (work?.Annotations().GetValueOrDefault(AccessorAnnotation) is not { } accessor)
            {
                return (null, null);
            }
            var store = (work["spec"]?["workload"]?["manifests"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(m => m.Kind() == "ClusterSecretStore");
            return (accessor, store?["spec"]?["provider"]?["vault"]?["server"]?.ToString());
        }

        public Task DeliverAsync(IReadOnlyList<JsonObject> objects, string accessor, CancellationToken ct) =>
            hub.ApplyAsync(SpokeVaultInit.ManifestWorks, new JsonObject
            {
                ["apiVersion"] = SpokeVaultInit.ManifestWorks.ApiVersion,
                ["kind"] = SpokeVaultInit.ManifestWorks.Kind,
                ["metadata"] = new JsonObject
                {
                    ["name"] = SpokeVaultInit.WorkName,
                    ["namespace"] = cluster,
                    ["annotations"] = new JsonObject { [AccessorAnnotation] = accessor },
                },
                ["spec"] = new JsonObject
                {
                    ["workload"] = new JsonObject { ["manifests"] = new JsonArray(objects.Select(o => (JsonNode)o).ToArray()) },
                },
            }, new ApplyOptions(WorkFieldManager) { Force = true }, ct);

        public Task RemoveAsync(CancellationToken ct) => hub.DeleteAsync(SpokeVaultInit.ManifestWorks, cluster, SpokeVaultInit.WorkName, null, ct);
    }
}
