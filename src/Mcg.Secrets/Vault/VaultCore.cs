using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Vault;

/// <summary>The Shamir seal configuration, stored in plaintext (<c>core/seal-config</c>) as Vault does.</summary>
public sealed record SealConfig(string Type, int SecretShares, int SecretThreshold);

/// <summary>What <c>sys/init</c> hands out once: the unseal key shares and the initial root token.</summary>
public sealed record InitResult(IReadOnlyList<byte[]> Keys, string RootToken);

/// <summary>
/// The server's state machine: uninitialised → sealed ⇄ unsealed. Initialisation creates the root key, the keyring
/// and the root token and hands out Shamir shares of the root key; unsealing collects shares until the threshold,
/// recombines the root key and opens the barrier; sealing forgets every key and cache.
/// </summary>
public sealed class VaultCore : IAsyncDisposable
{
    public const string Version = "1.17.6";
    public const string BuildDate = "2024-09-24T19:48:40Z";
    private const string SealConfigPath = "core/seal-config";
    private const string ClusterPath = "core/cluster";

    private readonly VaultServerOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<VaultCore> _logger;
    private readonly SemaphoreSlim _state = new(1, 1);
    private readonly List<byte[]> _unsealParts = [];
    private string _nonce = "";
    private SealConfig? _sealConfig;
    private volatile bool _initialized;

    public VaultCore(VaultServerOptions options, PhysicalStorage storage, TimeProvider clock, ILoggerFactory loggers)
    {
        _options = options;
        _clock = clock;
        _logger = loggers.CreateLogger<VaultCore>();
        SecurityBarrier = new SecurityBarrier(storage);
        Policies = new PolicyStore(SecurityBarrier);
        Tokens = new TokenStore(SecurityBarrier, clock, options, loggers.CreateLogger<TokenStore>());
        Mounts = new MountTable(SecurityBarrier);
        Audit = options.AuditLog ? new AuditLog(SecurityBarrier, Path.Combine(options.DataDirectory, "audit.log"), clock) : null;
        Kv = new KvV2Backend(SecurityBarrier, clock);
        TokenReviews = new TokenReviewClient();
        Kubernetes = new KubernetesAuthBackend(SecurityBarrier, Tokens, TokenReviews, loggers.CreateLogger<KubernetesAuthBackend>());
        TokenAuth = new TokenBackend(Tokens, Policies, clock);
        Sys = new SysBackend(this);
    }

    public SecurityBarrier SecurityBarrier { get; }
    public PolicyStore Policies { get; }
    public TokenStore Tokens { get; }
    public MountTable Mounts { get; }
    public AuditLog? Audit { get; }
    public KvV2Backend Kv { get; }
    public KubernetesAuthBackend Kubernetes { get; }
    public TokenBackend TokenAuth { get; }
    public SysBackend Sys { get; }
    public TimeProvider Clock => _clock;
    public bool IsSealed => SecurityBarrier.IsSealed;
    public string ClusterName { get; private set; } = "";
    public string ClusterId { get; private set; } = "";
    private TokenReviewClient TokenReviews { get; }

    public async Task<SealConfig?> GetSealConfigAsync(CancellationToken ct)
    {
        if (_sealConfig is null && await SecurityBarrier.Storage.GetAsync(SealConfigPath, ct) is { } bytes)
        {
            _sealConfig = JsonSerializer.Deserialize<SealConfig>(bytes, SecurityBarrier.Json);
        }
        return _sealConfig;
    }

    /// <summary>Whether <c>sys/init</c> has run; once true it stays true, so only the first calls touch storage.</summary>
    public async Task<bool> IsInitializedAsync(CancellationToken ct)
    {
        if (_initialized)
        {
            return true;
        }
        _initialized = await GetSealConfigAsync(ct) is not null && await SecurityBarrier.IsInitializedAsync(ct);
        return _initialized;
    }

    public async Task<InitResult> InitializeAsync(int shares, int threshold, CancellationToken ct)
    {
        if (shares < 1)
        {
            throw VaultException.BadRequest("invalid seal configuration: secret shares must be at least one");
        }
        if (threshold < 1)
        {
            throw VaultException.BadRequest("invalid seal configuration: threshold must be at least one");
        }
        if (shares > 1 && threshold == 1)
        {
            throw VaultException.BadRequest("invalid seal configuration: threshold must be greater than one for multiple shares");
        }
        if (shares > 255)
        {
            throw VaultException.BadRequest("invalid seal configuration: shares must be at most 255");
        }
        if (threshold > shares)
        {
            throw VaultException.BadRequest("invalid seal configuration: threshold cannot be larger than shares");
        }
        await _state.WaitAsync(ct);
        var rootKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            if (await IsInitializedAsync(ct))
            {
                throw VaultException.BadRequest("Vault is already initialized");
            }
            var config = new SealConfig("shamir", shares, threshold);
            await SecurityBarrier.Storage.PutAsync(SealConfigPath, JsonSerializer.SerializeToUtf8Bytes(config, SecurityBarrier.Json), ct);
            await SecurityBarrier.InitializeAsync(rootKey, ct);
            _sealConfig = config;
            await SecurityBarrier.UnsealAsync(rootKey, ct);
            string rootToken;
            try
            {
                await PostUnsealAsync(ct);
                var root = await Tokens.CreateAsync(new TokenRequest { Policies = [AclPolicy.Root], Path = "auth/token/root", DisplayName = "root", Ttl = null }, ct);
                rootToken = root.Id;
                if (_options.MountSecretAtInit)
                {
                    await Mounts.MountAsync("secret", "kv", "key/value secret storage", new Dictionary<string, string> { ["version"] = "2" }, ct);
                }
            }
            finally
            {
                PreSeal();
                SecurityBarrier.Seal();
            }
            var keys = shares == 1 ? [(byte[])rootKey.Clone()] : Shamir.Split(rootKey, shares, threshold);
            _logger.LogInformation("Vault initialized with {Shares} key shares and a key threshold of {Threshold}", shares, threshold);
            return new InitResult(keys, rootToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rootKey);
            _state.Release();
        }
    }

    /// <summary>Adds one key share; at the threshold the root key is recombined and the barrier opened.</summary>
    public async Task SubmitUnsealKeyAsync(byte[] share, CancellationToken ct)
    {
        await _state.WaitAsync(ct);
        try
        {
            var config = await GetSealConfigAsync(ct) ?? throw VaultException.BadRequest("Vault is not initialized");
            if (!SecurityBarrier.IsSealed)
            {
                return;
            }
            if (share.Length is < 16 or > 33)
            {
                throw VaultException.BadRequest("Unseal failed, invalid key");
            }
            if (_unsealParts.Any(p => p.AsSpan().SequenceEqual(share)))
            {
                return;
            }
            if (_unsealParts.Count == 0)
            {
                _nonce = Guid.NewGuid().ToString();
            }
            _unsealParts.Add(share);
            if (_unsealParts.Count < config.SecretThreshold)
            {
                return;
            }
            byte[] rootKey;
            try
            {
                rootKey = config.SecretThreshold == 1 ? (byte[])_unsealParts[0].Clone() : Shamir.Combine(_unsealParts);
            }
            catch (ArgumentException)
            {
                ResetUnseal();
                throw VaultException.BadRequest("Unseal failed, invalid key");
            }
            ResetUnseal();
            try
            {
                await SecurityBarrier.UnsealAsync(rootKey, ct);
            }
            catch (CryptographicException)
            {
                throw VaultException.BadRequest("Unseal failed, invalid key");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(rootKey);
            }
            await PostUnsealAsync(ct);
            _logger.LogInformation("Vault is unsealed");
        }
        finally
        {
            _state.Release();
        }
    }

    public void ResetUnseal()
    {
        foreach (var part in _unsealParts)
        {
            CryptographicOperations.ZeroMemory(part);
        }
        _unsealParts.Clear();
        _nonce = "";
    }

    public async Task SealAsync(CancellationToken ct)
    {
        await _state.WaitAsync(ct);
        try
        {
            PreSeal();
            SecurityBarrier.Seal();
            _logger.LogInformation("Vault is sealed");
        }
        finally
        {
            _state.Release();
        }
    }

    /// <summary>The body of <c>sys/seal-status</c> and <c>sys/unseal</c>.</summary>
    public async Task<JsonObject> SealStatusAsync(CancellationToken ct)
    {
        var config = await GetSealConfigAsync(ct);
        var status = new JsonObject
        {
            ["type"] = "shamir",
            ["initialized"] = config is not null,
            ["sealed"] = SecurityBarrier.IsSealed,
            ["t"] = config?.SecretThreshold ?? 0,
            ["n"] = config?.SecretShares ?? 0,
            ["progress"] = _unsealParts.Count,
            ["nonce"] = _nonce,
            ["version"] = Version,
            ["build_date"] = BuildDate,
            ["migration"] = false,
            ["recovery_seal"] = false,
            ["storage_type"] = "sqlite",
        };
        if (!SecurityBarrier.IsSealed)
        {
            status["cluster_name"] = ClusterName;
            status["cluster_id"] = ClusterId;
        }
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        PreSeal();
        SecurityBarrier.Seal();
        TokenReviews.Dispose();
        if (Audit is not null)
        {
            await Audit.DisposeAsync();
        }
    }

    private async Task PostUnsealAsync(CancellationToken ct)
    {
        await Policies.SetupAsync(ct);
        await Tokens.SetupAsync(ct);
        await Mounts.LoadAsync(ct);
        if (Audit is not null)
        {
            await Audit.SetupAsync(ct);
        }
        var cluster = await SecurityBarrier.GetJsonAsync<ClusterInfo>(ClusterPath, ct);
        if (cluster is null)
        {
            cluster = new ClusterInfo($"vault-cluster-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", Guid.NewGuid().ToString());
            await SecurityBarrier.PutJsonAsync(ClusterPath, cluster, ct);
        }
        ClusterName = cluster.Name;
        ClusterId = cluster.Id;
    }

    private void PreSeal()
    {
        Policies.ClearCache();
        Kv.ClearCache();
        Tokens.Forget();
        Mounts.Clear();
        Audit?.Forget();
        ResetUnseal();
    }

    private sealed record ClusterInfo(string Name, string Id);
}
