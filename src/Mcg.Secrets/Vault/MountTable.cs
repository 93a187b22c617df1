using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>One entry of the secrets-engine or auth-method table.</summary>
public sealed record MountEntry
{
    public required string Path { get; init; }
    public required string Type { get; init; }
    public string Description { get; init; } = "";
    public required string Accessor { get; init; }
    public required string Uuid { get; init; }
    public Dictionary<string, string>? Options { get; init; }
    public DateTimeOffset CreatedTime { get; init; }

    /// <summary>Where the mount's own entries live in the barrier.</summary>
    public string StoragePrefix(bool auth) => (auth ? "auth/" : "logical/") + Uuid + "/";

    public JsonObject ToJson() => new()
    {
        ["accessor"] = Accessor,
        ["config"] = new JsonObject { ["default_lease_ttl"] = 0, ["force_no_cache"] = false, ["max_lease_ttl"] = 0 },
        ["deprecation_status"] = Type is "kv" or "kubernetes" ? "supported" : null,
        ["description"] = Description,
        ["external_entropy_access"] = false,
        ["local"] = false,
        ["options"] = Options is null ? null : new JsonObject(Options.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))),
        ["plugin_version"] = "",
        ["running_plugin_version"] = "",
        ["running_sha256"] = "",
        ["seal_wrap"] = false,
        ["type"] = Type,
        ["uuid"] = Uuid,
    };

    public static string NewUuid() => Guid.NewGuid().ToString();

    public static string NewAccessor(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}

/// <summary>The mount tables (<c>core/mounts</c> for secrets engines, <c>core/auth</c> for auth methods), stored in the barrier.</summary>
public sealed class MountTable(SecurityBarrier barrier)
{
    private const string MountsPath = "core/mounts";
    private const string AuthPath = "core/auth";
    private readonly ConcurrentDictionary<string, MountEntry> _mounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MountEntry> _auth = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _write = new(1, 1);

    public static readonly MountEntry System = new() { Path = "sys/", Type = "system", Description = "system endpoints used for control, policy and debugging", Accessor = "system_00000000", Uuid = "system" };
    public static readonly MountEntry TokenAuth = new() { Path = "token/", Type = "token", Description = "token based credentials", Accessor = "auth_token_00000000", Uuid = "token" };

    public async Task LoadAsync(CancellationToken ct)
    {
        _mounts.Clear();
        _auth.Clear();
        foreach (var m in await barrier.GetJsonAsync<List<MountEntry>>(MountsPath, ct) ?? [])
        {
            _mounts[m.Path] = m;
        }
        foreach (var m in await barrier.GetJsonAsync<List<MountEntry>>(AuthPath, ct) ?? [])
        {
            _auth[m.Path] = m;
        }
    }

    public void Clear()
    {
        _mounts.Clear();
        _auth.Clear();
    }

    public IReadOnlyList<MountEntry> Mounts => [.. _mounts.Values.OrderBy(m => m.Path, StringComparer.Ordinal)];

    public IReadOnlyList<MountEntry> AuthMounts => [.. _auth.Values.OrderBy(m => m.Path, StringComparer.Ordinal)];

    /// <summary>The secrets engine mounted at the longest prefix of <paramref name="path"/>.</summary>
    public MountEntry? Find(string path) => Longest(_mounts, path);

    /// <summary>The auth method for a path relative to <c>auth/</c>.</summary>
    public MountEntry? FindAuth(string path) => Longest(_auth, path);

    public MountEntry? Get(string path) => _mounts.GetValueOrDefault(Normalize(path));

    public MountEntry? GetAuth(string path) => _auth.GetValueOrDefault(Normalize(path));

    public Task<MountEntry> MountAsync(string path, string type, string description, Dictionary<string, string>? options, CancellationToken ct) =>
        AddAsync(_mounts, MountsPath, path, type, description, options, "", ct);

    public Task<MountEntry> EnableAuthAsync(string path, string type, string description, CancellationToken ct) =>
        AddAsync(_auth, AuthPath, path, type, description, null, "auth/", ct);

    public async Task<MountEntry?> UnmountAsync(string path, bool auth, CancellationToken ct)
    {
        var table = auth ? _auth : _mounts;
        await _write.WaitAsync(ct);
        try
        {
            if (!table.TryRemove(Normalize(path), out var removed))
            {
                return null;
            }
            await barrier.PutJsonAsync(auth ? AuthPath : MountsPath, table.Values.ToList(), ct);
            foreach (var key in await barrier.KeysAsync(removed.StoragePrefix(auth), ct))
            {
                await barrier.DeleteAsync(key, ct);
            }
            return removed;
        }
        finally
        {
            _write.Release();
        }
    }

    public static string Normalize(string path)
    {
        path = path.Trim('/');
        return path.Length == 0 ? "" : path + "/";
    }

    private async Task<MountEntry> AddAsync(ConcurrentDictionary<string, MountEntry> table, string storagePath, string path, string type, string description,
        Dictionary<string, string>? options, string displayPrefix, CancellationToken ct)
    {
        path = Normalize(path);
        if (path.Length == 0)
        {
            throw VaultException.BadRequest("path cannot be empty");
        }
        await _write.WaitAsync(ct);
        try
        {
            var reserved = displayPrefix.Length == 0 && (path.StartsWith("sys/", StringComparison.Ordinal) || path.StartsWith("auth/", StringComparison.Ordinal)
                || path.StartsWith("cubbyhole/", StringComparison.Ordinal) || path.StartsWith("identity/", StringComparison.Ordinal))
                || displayPrefix.Length > 0 && path == "token/";
            var conflict = table.Keys.FirstOrDefault(p => p.StartsWith(path, StringComparison.Ordinal) || path.StartsWith(p, StringComparison.Ordinal));
            if (reserved || conflict is not null)
            {
                throw VaultException.BadRequest($"path is already in use at {displayPrefix}{conflict ?? path}");
            }
            var entry = new MountEntry
            {
                Path = path,
                Type = type,
                Description = description,
                Accessor = MountEntry.NewAccessor(displayPrefix.Length > 0 ? "auth_" + type : type),
                Uuid = MountEntry.NewUuid(),
                Options = options,
                CreatedTime = DateTimeOffset.UtcNow,
            };
            table[path] = entry;
            await barrier.PutJsonAsync(storagePath, table.Values.ToList(), ct);
            return entry;
        }
        finally
        {
            _write.Release();
        }
    }

    private static MountEntry? Longest(ConcurrentDictionary<string, MountEntry> table, string path)
    {
        MountEntry? best = null;
        foreach (var (prefix, entry) in table)
        {
            if ((path.StartsWith(prefix, StringComparison.Ordinal) || path + "/" == prefix) && (best is null || prefix.Length > best.Path.Length))
            {
                best = entry;
            }
        }
        return best;
    }
}
