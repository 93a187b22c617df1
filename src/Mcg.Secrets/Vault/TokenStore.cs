using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Vault;

/// <summary>What a new token should carry; the store fills in the id, accessor and times.</summary>
public sealed record TokenRequest
{
    public required IReadOnlyList<string> Policies { get; init; }
    public string? ParentId { get; init; }
    public Dictionary<string, string>? Meta { get; init; }
    public string DisplayName { get; init; } = "token";
    public required string Path { get; init; }
    /// <summary>Zero means the store's default TTL; null means no expiry (root tokens).</summary>
    public TimeSpan? Ttl { get; init; } = TimeSpan.Zero;
    public TimeSpan ExplicitMaxTtl { get; init; }
    public TimeSpan Period { get; init; }
    public int NumUses { get; init; }
    public bool Renewable { get; init; } = true;
}

/// <summary>
/// Service tokens (<c>hvs.</c> + 24 base62 characters) in the barrier. Entries are stored under a salted HMAC of the
/// token, never the token itself (<c>sys/token/id/&lt;hmac&gt;</c>), with an accessor index and a parent → child index
/// so that revoking a token revokes its whole subtree. Expired tokens are revoked when met and by <see cref="TidyAsync"/>.
/// </summary>
public sealed class TokenStore(SecurityBarrier barrier, TimeProvider clock, VaultServerOptions options, ILogger<TokenStore> logger)
{
    private const string SaltPath = "sys/token/salt";
    private const string IdPrefix = "sys/token/id/";
    private const string AccessorPrefix = "sys/token/accessor/";
    private const string ParentPrefix = "sys/token/parent/";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private const int CacheLimit = 50_000;

    private readonly SemaphoreSlim _useLock = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TokenEntry> _cache = new(StringComparer.Ordinal);
    private byte[]? _salt;

    public async Task SetupAsync(CancellationToken ct)
    {
        var salt = await barrier.GetAsync(SaltPath, ct);
        if (salt is null)
        {
            salt = RandomNumberGenerator.GetBytes(32);
            await barrier.PutAsync(SaltPath, salt, ct);
        }
        _salt = salt;
    }

    public void Forget()
    {
        _cache.Clear();
        if (_salt is not null)
        {
            CryptographicOperations.ZeroMemory(_salt);
        }
        _salt = null;
    }

    public async Task<TokenEntry> CreateAsync(TokenRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ttl = request.Ttl;
        if (ttl == TimeSpan.Zero)
        {
            ttl = request.Period > TimeSpan.Zero ? request.Period : options.DefaultTokenTtl;
        }
        if (ttl is { } t)
        {
            if (t > options.MaxTokenTtl && request.Period == TimeSpan.Zero)
            {
                ttl = options.MaxTokenTtl;
            }
            if (request.ExplicitMaxTtl > TimeSpan.Zero && t > request.ExplicitMaxTtl)
            {
                ttl = request.ExplicitMaxTtl;
            }
        }
        var entry = new TokenEntry
        {
            Id = "hvs." + RandomBase62(24),
            Accessor = RandomBase62(24),
            ParentHash = request.ParentId is null ? null : Hash(request.ParentId),
            Policies = request.Policies.Distinct().Order(StringComparer.Ordinal).ToList(),
            Meta = request.Meta,
            DisplayName = request.DisplayName,
            Path = request.Path,
            IssueTime = now,
            ExpireTime = ttl is { } d && d > TimeSpan.Zero ? now + d : null,
            CreationTtl = (long)(ttl ?? TimeSpan.Zero).TotalSeconds,
            ExplicitMaxTtl = (long)request.ExplicitMaxTtl.TotalSeconds,
            Period = (long)request.Period.TotalSeconds,
            NumUses = request.NumUses,
            Renewable = request.Renewable && ttl is not null,
            Orphan = request.ParentId is null,
        };
        var idHash = Hash(entry.Id);
        var writes = new List<(string, byte[]?)>
        {
            (IdPrefix + idHash, SecurityBarrier.ToJson(entry)),
            (AccessorPrefix + Hash(entry.Accessor), Encoding.UTF8.GetBytes(idHash)),
        };
        if (entry.ParentHash is not null)
        {
            writes.Add(($"{ParentPrefix}{entry.ParentHash}/{idHash}", []));
        }
        await barrier.WriteAsync(writes, ct);
        Remember(idHash, entry);
        return entry;
    }

    /// <summary>The live entry for a token, or null (unknown, revoked or expired — an expired one is revoked now).</summary>
    public async Task<TokenEntry?> LookupAsync(string id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }
        var entry = await LoadAsync(Hash(id), ct);
        if (entry is null || entry.Id != id)
        {
            return null;
        }
        if (entry.ExpireTime is { } expires && expires <= clock.GetUtcNow())
        {
            await RevokeTreeAsync(Hash(id), ct);
            return null;
        }
        return entry;
    }

    public async Task<TokenEntry?> LookupByAccessorAsync(string accessor, CancellationToken ct)
    {
        var idHash = await barrier.GetAsync(AccessorPrefix + Hash(accessor), ct);
        if (idHash is null)
        {
            return null;
        }
        var entry = await LoadAsync(Encoding.UTF8.GetString(idHash), ct);
        return entry is null ? null : await LookupAsync(entry.Id, ct);
    }

    /// <summary>
    /// Counts one use of a limited-use token and returns the entry as it stands after this use (the last use revokes
    /// it); null when no use was left.
    /// </summary>
    public async Task<TokenEntry?> UseAsync(TokenEntry entry, CancellationToken ct)
    {
        if (entry.NumUses == 0)
        {
            return entry;
        }
        await _useLock.WaitAsync(ct);
        try
        {
            var current = await LoadAsync(Hash(entry.Id), ct);
            if (current is null || current.NumUses <= 0)
            {
                return null;
            }
            var used = current with { NumUses = current.NumUses - 1 };
            if (used.NumUses == 0)
            {
                await RevokeTreeAsync(Hash(entry.Id), ct);
            }
            else
            {
                await StoreAsync(Hash(entry.Id), used, ct);
            }
            return used;
        }
        finally
        {
            _useLock.Release();
        }
    }

    /// <summary>Extends a token's TTL by <paramref name="increment"/> (or its original TTL), within the maximum TTLs.</summary>
    public async Task<TokenEntry> RenewAsync(TokenEntry entry, TimeSpan? increment, CancellationToken ct)
    {
        if (entry.ExpireTime is null)
        {
            return entry;
        }
        if (!entry.Renewable)
        {
            throw VaultException.BadRequest("lease is not renewable");
        }
        var now = clock.GetUtcNow();
        var ttl = entry.Period > 0 ? TimeSpan.FromSeconds(entry.Period)
            : increment is { } i && i > TimeSpan.Zero ? i : TimeSpan.FromSeconds(entry.CreationTtl);
        var limit = entry.Period > 0 ? ttl : options.MaxTokenTtl - (now - entry.IssueTime);
        if (entry.ExplicitMaxTtl > 0)
        {
            limit = TimeSpan.FromSeconds(Math.Min(limit.TotalSeconds, (entry.IssueTime.AddSeconds(entry.ExplicitMaxTtl) - now).TotalSeconds));
        }
        if (ttl > limit)
        {
            ttl = limit < TimeSpan.Zero ? TimeSpan.Zero : limit;
        }
        var renewed = entry with { ExpireTime = now + ttl, LastRenewalTime = now };
        await StoreAsync(Hash(entry.Id), renewed, ct);
        return renewed;
    }

    public Task RevokeAsync(string id, CancellationToken ct) => RevokeTreeAsync(Hash(id), ct);

    /// <summary>Revokes every expired token (and with it, its children).</summary>
    public async Task TidyAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var key in await barrier.KeysAsync(IdPrefix, ct))
        {
            var entry = await barrier.GetJsonAsync<TokenEntry>(key, ct);
            if (entry?.ExpireTime is { } expires && expires <= now)
            {
                logger.LogInformation("Revoking expired token {Accessor}", Hash(entry.Accessor)[..12]);
                await RevokeTreeAsync(key[IdPrefix.Length..], ct);
            }
        }
    }

    /// <summary>The salted HMAC under which a token or accessor is indexed; never reversible without the (encrypted) salt.</summary>
    public string Hash(string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_salt ?? throw VaultException.Sealed(), Encoding.UTF8.GetBytes(value)));

    private async Task RevokeTreeAsync(string idHash, CancellationToken ct)
    {
        // Depth-first: children first, so an interrupted revocation never leaves children without their parent index.
        foreach (var child in await barrier.ListAsync($"{ParentPrefix}{idHash}/", ct))
        {
            await RevokeTreeAsync(child.TrimEnd('/'), ct);
        }
        var entry = await LoadAsync(idHash, ct);
        _cache.TryRemove(idHash, out _);
        var writes = new List<(string, byte[]?)> { (IdPrefix + idHash, null) };
        if (entry is not null)
        {
            writes.Add((AccessorPrefix + Hash(entry.Accessor), null));
            if (entry.ParentHash is not null)
            {
                writes.Add(($"{ParentPrefix}{entry.ParentHash}/{idHash}", null));
            }
        }
        await barrier.WriteAsync(writes, ct);
        _cache.TryRemove(idHash, out _);
    }

    /// <summary>Entries are cached (decrypted) while unsealed; this process is the storage's only writer.</summary>
    private async Task<TokenEntry?> LoadAsync(string idHash, CancellationToken ct)
    {
        if (_cache.TryGetValue(idHash, out var cached))
        {
            return cached;
        }
        var entry = await barrier.GetJsonAsync<TokenEntry>(IdPrefix + idHash, ct);
        if (entry is not null)
        {
            Remember(idHash, entry);
        }
        return entry;
    }

    private async Task StoreAsync(string idHash, TokenEntry entry, CancellationToken ct)
    {
        await barrier.PutJsonAsync(IdPrefix + idHash, entry, ct);
        Remember(idHash, entry);
    }

    private void Remember(string idHash, TokenEntry entry)
    {
        if (_cache.Count >= CacheLimit)
        {
            _cache.Clear();
        }
        _cache[idHash] = entry;
    }

    private static string RandomBase62(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Base62[RandomNumberGenerator.GetInt32(Base62.Length)];
        }
        return new string(chars);
    }
}
