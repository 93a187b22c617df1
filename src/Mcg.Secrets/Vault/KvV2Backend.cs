using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The versioned key/value engine (KV v2, vault-plugin-secrets-kv) for every <c>kv</c> mount: data, metadata,
/// delete/undelete/destroy, subkeys and config, with check-and-set, max_versions pruning and delete_version_after.
/// Under the mount's prefix, <c>metadata/&lt;key&gt;</c> holds a key's metadata and <c>versions/&lt;sha256(key)&gt;/&lt;n&gt;</c> its versions.
/// </summary>
public sealed class KvV2Backend(SecurityBarrier barrier, TimeProvider clock) : IVaultBackend
{
    private const int DefaultMaxVersions = 10;
    private const int CacheLimit = 50_000;
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    // Decrypted metadata and configs, kept while unsealed. Every fill and change happens under the key's lock, and
    // this process is the storage's only writer, so the cache is never stale.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, KvMetadata> _metadata = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, KvConfig> _configs = new(StringComparer.Ordinal);

    /// <summary>Forgets every cached entry (sealing, unmounting).</summary>
    public void ClearCache()
    {
        _metadata.Clear();
        _configs.Clear();
    }

    public async Task<bool?> ExistsAsync(VaultRequest request, CancellationToken ct)
    {
        var (section, key) = Split(request.Relative);
        return section is "data" or "metadata" ? await ReadMetadataEntryAsync(request.Mount!, key, ct) is not null : null;
    }

    public async Task<VaultResponse> HandleAsync(VaultRequest request, CancellationToken ct)
    {
        var mount = request.Mount!;
        var (section, key) = Split(request.Relative);
        var op = request.Operation;
        return (section, op) switch
        {
            ("config", VaultOperation.Read) => await ReadConfigAsync(mount, ct),
            ("config", VaultOperation.Create or VaultOperation.Update) => await WriteConfigAsync(mount, request, ct),
            ("metadata", VaultOperation.List) => await ListAsync(mount, key, ct),
            (_, _) when key.Length == 0 && section is "data" or "metadata" or "delete" or "undelete" or "destroy" or "subkeys" =>
                throw (op == VaultOperation.List ? VaultException.UnsupportedOperation() : VaultException.BadRequest("missing path")),
            ("data", VaultOperation.Read) => await ReadDataAsync(mount, key, request, ct),
            ("data", VaultOperation.Create or VaultOperation.Update) => await WriteDataAsync(mount, key, request, patch: false, ct),
            ("data", VaultOperation.Patch) => await WriteDataAsync(mount, key, request, patch: true, ct),
            ("data", VaultOperation.Delete) => await DeleteLatestAsync(mount, key, ct),
            ("metadata", VaultOperation.Read) => await ReadMetadataAsync(mount, key, ct),
            ("metadata", VaultOperation.Create or VaultOperation.Update) => await WriteMetadataAsync(mount, key, request, patch: false, ct),
            ("metadata", VaultOperation.Patch) => await WriteMetadataAsync(mount, key, request, patch: true, ct),
            ("metadata", VaultOperation.Delete) => await DeleteMetadataAsync(mount, key, ct),
            ("delete" or "undelete" or "destroy", VaultOperation.Create or VaultOperation.Update) => await ChangeVersionsAsync(mount, key, section, request, ct),
            ("subkeys", VaultOperation.Read) => await SubkeysAsync(mount, key, request, ct),
            ("config" or "data" or "metadata" or "delete" or "undelete" or "destroy" or "subkeys", _) => throw VaultException.UnsupportedOperation(),
            _ => throw VaultException.NoHandler(mount.Path + request.Relative),
        };
    }

    private static (string Section, string Key) Split(string relative)
    {
        var slash = relative.IndexOf('/');
        return slash < 0 ? (relative, "") : (relative[..slash], relative[(slash + 1)..]);
    }

    private async Task<VaultResponse> ReadDataAsync(MountEntry mount, string key, VaultRequest request, CancellationToken ct)
    {
        var meta = await ReadMetadataEntryAsync(mount, key, ct) ?? throw VaultException.NotFound();
        var version = request.Int("version") ?? 0;
        if (version == 0)
        {
            version = meta.CurrentVersion;
        }
        if (!meta.Versions.TryGetValue(version, out var v))
        {
            throw VaultException.NotFound();
        }
        if (v.Destroyed || v.IsDeleted(clock.GetUtcNow()))
        {
            throw DeletedVersion(request, new JsonObject { ["data"] = null, ["metadata"] = meta.VersionJson(version) });
        }
        var stored = await barrier.GetJsonAsync<KvVersionData>(VersionPath(mount, key, version), ct) ?? throw VaultException.NotFound();
        return VaultResponse.Of(new JsonObject { ["data"] = JsonNode.Parse(stored.Data), ["metadata"] = meta.VersionJson(version) });
    }

    private async Task<VaultResponse> WriteDataAsync(MountEntry mount, string key, VaultRequest request, bool patch, CancellationToken ct)
    {
        if (patch)
        {
            RequireMergePatch(request);
        }
        if (request.Data["data"] is not JsonObject data)
        {
            throw VaultException.BadRequest("no data provided");
        }
        var gate = LockFor(mount, key);
        await gate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            var meta = await GetMetadataAsync(mount, key, ct);
            var config = await GetConfigAsync(mount, ct);
            JsonObject content;
            if (patch)
            {
                if (meta is null || !meta.Versions.TryGetValue(meta.CurrentVersion, out var current))
                {
                    throw VaultException.NotFound();
                }
                if (current.Destroyed || current.IsDeleted(now))
                {
                    throw DeletedVersion(request, new JsonObject { ["data"] = null, ["metadata"] = meta.VersionJson(meta.CurrentVersion) });
                }
                var stored = await barrier.GetJsonAsync<KvVersionData>(VersionPath(mount, key, meta.CurrentVersion), ct) ?? throw VaultException.NotFound();
                content = JsonMergePatch.Apply(JsonNode.Parse(stored.Data) as JsonObject ?? [], data);
            }
            else
            {
                content = data;
            }
            meta ??= new KvMetadata { Key = key, CreatedTime = now };
            CheckAndSet(request, meta, config);

            var version = meta.CurrentVersion + 1;
            var deleteAfter = meta.DeleteVersionAfterSeconds > 0 ? meta.DeleteVersionAfterSeconds : config.DeleteVersionAfterSeconds;
            var versions = new SortedDictionary<long, KvVersion>(meta.Versions)
            {
                [version] = new KvVersion(now, deleteAfter > 0 ? now.AddSeconds(deleteAfter) : null, false),
            };
            var writes = new List<(string, byte[]?)> { (VersionPath(mount, key, version), SecurityBarrier.ToJson(new KvVersionData(content.ToJsonString(), now))) };
            var oldest = meta.OldestVersion;
            var max = meta.MaxVersions > 0 ? meta.MaxVersions : config.MaxVersions > 0 ? config.MaxVersions : DefaultMaxVersions;
            if (version - oldest >= max)
            {
                var last = version - max;
                foreach (var old in versions.Keys.Where(k => k <= last).ToList())
                {
                    versions.Remove(old);
                    writes.Add((VersionPath(mount, key, old), null));
                }
                oldest = last + 1;
            }
            meta = meta with { Versions = versions, CurrentVersion = version, OldestVersion = oldest, UpdatedTime = now };
            writes.Add((MetadataPath(mount, key), SecurityBarrier.ToJson(meta)));
            await barrier.WriteAsync(writes, ct);
            Cache(mount, key, meta);
            var result = meta.VersionJson(version);
            return VaultResponse.Of(result);
        }
        finally
        {
            gate.Release();
        }
    }

    private static void CheckAndSet(VaultRequest request, KvMetadata meta, KvConfig config)
    {
        var options = request.Data["options"] as JsonObject;
        if (options?["cas"] is { } casNode)
        {
            long cas;
            try
            {
                cas = casNode.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.Number => (long)casNode.GetValue<double>(),
                    System.Text.Json.JsonValueKind.String => long.Parse(casNode.GetValue<string>(), CultureInfo.InvariantCulture),
                    _ => throw new FormatException(),
                };
            }
            catch (FormatException)
            {
                throw VaultException.BadRequest("error parsing check-and-set parameter");
            }
            if (cas != meta.CurrentVersion)
            {
                throw VaultException.BadRequest("check-and-set parameter did not match the current version");
            }
        }
        else if (config.CasRequired || meta.CasRequired)
        {
            throw VaultException.BadRequest("check-and-set parameter required for this call");
        }
    }

    private async Task<VaultResponse> DeleteLatestAsync(MountEntry mount, string key, CancellationToken ct)
    {
        var gate = LockFor(mount, key);
        await gate.WaitAsync(ct);
        try
        {
            var meta = await GetMetadataAsync(mount, key, ct);
            var now = clock.GetUtcNow();
            if (meta is null || !meta.Versions.TryGetValue(meta.CurrentVersion, out var current) || current.Destroyed || current.IsDeleted(now))
            {
                return VaultResponse.NoContent();
            }
            var versions = new SortedDictionary<long, KvVersion>(meta.Versions) { [meta.CurrentVersion] = current with { DeletionTime = now } };
            meta = meta with { Versions = versions, UpdatedTime = now };
            await barrier.PutJsonAsync(MetadataPath(mount, key), meta, ct);
            Cache(mount, key, meta);
            return VaultResponse.NoContent();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<VaultResponse> ChangeVersionsAsync(MountEntry mount, string key, string action, VaultRequest request, CancellationToken ct)
    {
        var requested = ParseVersions(request.Data["versions"]);
        if (requested.Count == 0)
        {
            throw VaultException.BadRequest("No version number provided");
        }
        var gate = LockFor(mount, key);
        await gate.WaitAsync(ct);
        try
        {
            var meta = await GetMetadataAsync(mount, key, ct);
            if (meta is null)
            {
                return VaultResponse.NoContent();
            }
            var now = clock.GetUtcNow();
            var versions = new SortedDictionary<long, KvVersion>(meta.Versions);
            var writes = new List<(string, byte[]?)>();
            foreach (var n in requested)
            {
                if (!versions.TryGetValue(n, out var v) || v.Destroyed)
                {
                    continue;
                }
                switch (action)
                {
                    case "delete" when !v.IsDeleted(now):
                        versions[n] = v with { DeletionTime = now };
                        break;
                    case "undelete":
                        versions[n] = v with { DeletionTime = null };
                        break;
                    case "destroy":
                        versions[n] = v with { Destroyed = true };
                        writes.Add((VersionPath(mount, key, n), null));
                        break;
                }
            }
            meta = meta with { Versions = versions, UpdatedTime = now };
            writes.Add((MetadataPath(mount, key), SecurityBarrier.ToJson(meta)));
            await barrier.WriteAsync(writes, ct);
            Cache(mount, key, meta);
            return VaultResponse.NoContent();
        }
        finally
        {
            gate.Release();
        }
    }

    private static List<long> ParseVersions(JsonNode? node)
    {
        var result = new List<long>();
        IEnumerable<JsonNode?> items = node switch
        {
            null => [],
            JsonArray a => a,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode?)JsonValue.Create(s.Trim())),
            _ => [node],
        };
        foreach (var item in items)
        {
            var ok = item?.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.Number => true,
                System.Text.Json.JsonValueKind.String => long.TryParse(item.GetValue<string>(), CultureInfo.InvariantCulture, out _),
                _ => false,
            };
            if (!ok)
            {
                throw VaultException.BadRequest($"error converting input {item?.ToJsonString()} for field \"versions\"");
            }
            result.Add(item!.GetValueKind() == System.Text.Json.JsonValueKind.Number ? (long)item.GetValue<double>() : long.Parse(item.GetValue<string>(), CultureInfo.InvariantCulture));
        }
        return result;
    }

    private async Task<VaultResponse> ReadMetadataAsync(MountEntry mount, string key, CancellationToken ct)
    {
        var meta = await ReadMetadataEntryAsync(mount, key, ct) ?? throw VaultException.NotFound();
        return VaultResponse.Of(meta.ToJson());
    }

    private async Task<VaultResponse> WriteMetadataAsync(MountEntry mount, string key, VaultRequest request, bool patch, CancellationToken ct)
    {
        if (patch)
        {
            RequireMergePatch(request);
        }
        var maxVersions = request.Int("max_versions");
        var casRequired = request.Bool("cas_required");
        var deleteAfter = request.Duration("delete_version_after");
        var custom = request.Data["custom_metadata"];
        if (custom is not null and not JsonObject)
        {
            throw VaultException.BadRequest("custom_metadata must be a map");
        }
        var gate = LockFor(mount, key);
        await gate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            var meta = await GetMetadataAsync(mount, key, ct);
            if (meta is null && patch)
            {
                throw VaultException.NotFound();
            }
            meta ??= new KvMetadata { Key = key, CreatedTime = now };
            var customMetadata = meta.CustomMetadata;
            if (custom is JsonObject cm)
            {
                var merged = patch ? new Dictionary<string, string>(customMetadata ?? []) : [];
                foreach (var (k, v) in cm)
                {
                    if (v is null)
                    {
                        merged.Remove(k);
                    }
                    else
                    {
                        merged[k] = v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();
                    }
                }
                ValidateCustomMetadata(merged);
                customMetadata = merged;
            }
            if (maxVersions < 0)
            {
                throw VaultException.BadRequest("max_versions must be greater than or equal to 0");
            }
            meta = meta with
            {
                MaxVersions = maxVersions is { } mv ? (int)mv : meta.MaxVersions,
                CasRequired = casRequired ?? meta.CasRequired,
                DeleteVersionAfterSeconds = deleteAfter is { } d ? (long)d.TotalSeconds : meta.DeleteVersionAfterSeconds,
                CustomMetadata = customMetadata,
                UpdatedTime = now,
            };
            await barrier.PutJsonAsync(MetadataPath(mount, key), meta, ct);
            Cache(mount, key, meta);
            return VaultResponse.NoContent();
        }
        finally
        {
            gate.Release();
        }
    }

    private static void ValidateCustomMetadata(Dictionary<string, string> metadata)
    {
        var errors = new List<string>();
        if (metadata.Count > 64)
        {
            errors.Add($"payload must contain at most 64 keys, provided: {metadata.Count}");
        }
        foreach (var (k, v) in metadata)
        {
            if (k.Length is 0 or > 128)
            {
                errors.Add($"length of key \"{k}\" is {k.Length} but must be 0 < len(key) <= 128");
            }
            if (v.Length > 512)
            {
                errors.Add($"length of value for key \"{k}\" is {v.Length} but must be 0 < len(value) <= 512");
            }
            if (k.Any(char.IsControl) || v.Any(char.IsControl))
            {
                errors.Add($"key \"{k}\" (or its value) contains unprintable characters");
            }
        }
        if (errors.Count > 0)
        {
            throw VaultException.BadRequest($"{errors.Count} error{(errors.Count == 1 ? "" : "s")} occurred:\n" + string.Concat(errors.Select(e => $"\t* {e}\n")) + "\n");
        }
    }

    private async Task<VaultResponse> DeleteMetadataAsync(MountEntry mount, string key, CancellationToken ct)
    {
        var gate = LockFor(mount, key);
        await gate.WaitAsync(ct);
        try
        {
            var meta = await GetMetadataAsync(mount, key, ct);
            if (meta is not null)
            {
                var writes = meta.Versions.Keys.Select(v => (VersionPath(mount, key, v), (byte[]?)null)).ToList();
                writes.Add((MetadataPath(mount, key), null));
                await barrier.WriteAsync(writes, ct);
                _metadata.TryRemove(CacheKey(mount, key), out _);
            }
            return VaultResponse.NoContent();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<VaultResponse> ListAsync(MountEntry mount, string prefix, CancellationToken ct)
    {
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            prefix += "/";
        }
        return VaultResponse.Keys(await barrier.ListAsync(mount.StoragePrefix(false) + "metadata/" + prefix, ct));
    }

    private async Task<VaultResponse> SubkeysAsync(MountEntry mount, string key, VaultRequest request, CancellationToken ct)
    {
        var meta = await ReadMetadataEntryAsync(mount, key, ct) ?? throw VaultException.NotFound();
        var version = request.Int("version") ?? 0;
        var depth = request.Int("depth") ?? 0;
        if (version == 0)
        {
            version = meta.CurrentVersion;
        }
        if (!meta.Versions.TryGetValue(version, out var v))
        {
            throw VaultException.NotFound();
        }
        if (v.Destroyed || v.IsDeleted(clock.GetUtcNow()))
        {
            throw DeletedVersion(request, new JsonObject { ["subkeys"] = null, ["metadata"] = meta.VersionJson(version) });
        }
        var stored = await barrier.GetJsonAsync<KvVersionData>(VersionPath(mount, key, version), ct) ?? throw VaultException.NotFound();
        return VaultResponse.Of(new JsonObject { ["subkeys"] = Subkeys(JsonNode.Parse(stored.Data) as JsonObject ?? [], depth, 1), ["metadata"] = meta.VersionJson(version) });
    }

    private static JsonObject Subkeys(JsonObject data, long depth, long level) =>
        new(data.Select(p => KeyValuePair.Create(p.Key, p.Value is JsonObject child && (depth == 0 || level < depth) ? (JsonNode?)Subkeys(child, depth, level + 1) : null)));

    private async Task<VaultResponse> ReadConfigAsync(MountEntry mount, CancellationToken ct)
    {
        var config = await GetConfigAsync(mount, ct);
        return VaultResponse.Of(new JsonObject
        {
            ["cas_required"] = config.CasRequired,
            ["delete_version_after"] = Durations.ToGoString(TimeSpan.FromSeconds(config.DeleteVersionAfterSeconds)),
            ["max_versions"] = config.MaxVersions,
        });
    }

    private async Task<VaultResponse> WriteConfigAsync(MountEntry mount, VaultRequest request, CancellationToken ct)
    {
        var config = await GetConfigAsync(mount, ct);
        config = config with
        {
            MaxVersions = request.Int("max_versions") is { } m ? (int)m : config.MaxVersions,
            CasRequired = request.Bool("cas_required") ?? config.CasRequired,
            DeleteVersionAfterSeconds = request.Duration("delete_version_after") is { } d ? (long)d.TotalSeconds : config.DeleteVersionAfterSeconds,
        };
        await barrier.PutJsonAsync(mount.StoragePrefix(false) + "config", config, ct);
        _configs[mount.Uuid] = config;
        return VaultResponse.NoContent();
    }

    private async Task<KvConfig> GetConfigAsync(MountEntry mount, CancellationToken ct)
    {
        if (_configs.TryGetValue(mount.Uuid, out var cached))
        {
            return cached;
        }
        var config = await barrier.GetJsonAsync<KvConfig>(mount.StoragePrefix(false) + "config", ct) ?? new KvConfig();
        _configs[mount.Uuid] = config;
        return config;
    }

    /// <summary>A key's metadata for readers: from the cache, else loaded under the key's lock.</summary>
    private async Task<KvMetadata?> ReadMetadataEntryAsync(MountEntry mount, string key, CancellationToken ct)
    {
        if (key.Length == 0)
        {
            return null;
        }
        if (_metadata.TryGetValue(CacheKey(mount, key), out var cached))
        {
            return cached;
        }
        var gate = LockFor(mount, key);
        await gate.WaitAsync(ct);
        try
        {
            return await GetMetadataAsync(mount, key, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A key's metadata; the caller holds the key's lock.</summary>
    private async Task<KvMetadata?> GetMetadataAsync(MountEntry mount, string key, CancellationToken ct)
    {
        if (key.Length == 0)
        {
            return null;
        }
        if (_metadata.TryGetValue(CacheKey(mount, key), out var cached))
        {
            return cached;
        }
        var meta = await barrier.GetJsonAsync<KvMetadata>(MetadataPath(mount, key), ct);
        if (meta is not null)
        {
            Cache(mount, key, meta);
        }
        return meta;
    }

    private void Cache(MountEntry mount, string key, KvMetadata meta)
    {
        if (_metadata.Count >= CacheLimit)
        {
            _metadata.Clear();
        }
        _metadata[CacheKey(mount, key)] = meta;
    }

    private static string CacheKey(MountEntry mount, string key) => mount.Uuid + "\0" + key;

    private static string MetadataPath(MountEntry mount, string key) => mount.StoragePrefix(false) + "metadata/" + key;

    private static string VersionPath(MountEntry mount, string key, long version) =>
        $"{mount.StoragePrefix(false)}versions/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}/{version.ToString(CultureInfo.InvariantCulture)}";

    private SemaphoreSlim LockFor(MountEntry mount, string key) =>
        _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(mount.Uuid + "\0" + key) % (uint)_locks.Length)];

    private static void RequireMergePatch(VaultRequest request)
    {
        if (request.ContentType is null || !request.ContentType.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new VaultException(415, [$"PATCH requires Content-Type application/merge-patch+json, got \"{request.ContentType}\""]);
        }
    }

    /// <summary>A deleted or destroyed version: 404 with the full response (data null plus the version's metadata).</summary>
    private static VaultException DeletedVersion(VaultRequest request, JsonObject data) =>
        new(404, [], VaultHttpHandler.Envelope(request.Id, new VaultResponse { Data = data }, "kv"));
}
