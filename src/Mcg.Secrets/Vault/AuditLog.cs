using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>
/// Vault's file audit device at <c>DIR/audit.log</c>: one JSON line per request and per response. Every string value
/// in request and response data, and every token and accessor, is replaced by <c>hmac-sha256:&lt;hex&gt;</c> keyed with
/// a per-server salt kept in the barrier, so the log never holds a secret yet <c>sys/audit-hash</c> can find one.
/// </summary>
public sealed class AuditLog(SecurityBarrier barrier, string path, TimeProvider clock) : IAsyncDisposable
{
    private const string SaltPath = "core/audit-salt";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FileStream? _file;
    private byte[]? _salt;

    public string FilePath => path;

    public bool Enabled => _salt is not null;

    public async Task SetupAsync(CancellationToken ct)
    {
        var salt = await barrier.GetAsync(SaltPath, ct);
        if (salt is null)
        {
            salt = RandomNumberGenerator.GetBytes(32);
            await barrier.PutAsync(SaltPath, salt, ct);
        }
        _salt = salt;
        await _gate.WaitAsync(ct);
        try
        {
            _file ??= new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 64 * 1024, useAsync: false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the salt (sealing); the file stays open for the next unseal.</summary>
    public void Forget()
    {
        if (_salt is not null)
        {
            CryptographicOperations.ZeroMemory(_salt);
        }
        _salt = null;
    }

    public string Hash(string value) =>
        "hmac-sha256:" + Convert.ToHexStringLower(HMACSHA256.HashData(_salt ?? throw VaultException.Sealed(), Encoding.UTF8.GetBytes(value)));

    public Task LogRequestAsync(VaultRequest request, string? error, CancellationToken ct) =>
        WriteAsync(new JsonObject
        {
            ["time"] = TokenEntry.Rfc3339(clock.GetUtcNow()),
            ["type"] = "request",
            ["auth"] = AuthJson(request.Token),
            ["request"] = RequestJson(request),
            ["error"] = error ?? "",
        }, ct);

    public Task LogResponseAsync(VaultRequest request, VaultResponse? response, string? error, CancellationToken ct)
    {
        JsonObject? body = null;
        if (response is not null)
        {
            body = new JsonObject
            {
                ["mount_type"] = request.Mount?.Type ?? "",
                ["mount_accessor"] = request.Mount?.Accessor ?? "",
                ["data"] = response.Data is null ? null : HashAll(response.Data),
            };
            if (response.Raw is JsonObject raw)
            {
                body["data"] = HashAll(raw);
            }
            if (response.Auth is { } auth)
            {
                var hashed = (JsonObject)auth.DeepClone();
                foreach (var field in new[] { "client_token", "accessor" })
                {
                    if (hashed[field] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        hashed[field] = Hash(v.GetValue<string>());
                    }
                }
                body["auth"] = hashed;
            }
        }
        return WriteAsync(new JsonObject
        {
            ["time"] = TokenEntry.Rfc3339(clock.GetUtcNow()),
            ["type"] = "response",
            ["auth"] = AuthJson(request.Token),
            ["request"] = RequestJson(request),
            ["response"] = body,
            ["error"] = error ?? "",
        }, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }

    private JsonObject? AuthJson(TokenEntry? token) => token is null ? null : new JsonObject
    {
        ["client_token"] = Hash(token.Id),
        ["accessor"] = Hash(token.Accessor),
        ["display_name"] = token.DisplayName,
        ["policies"] = new JsonArray(token.Policies.Select(p => (JsonNode)p).ToArray()),
        ["token_policies"] = new JsonArray(token.Policies.Select(p => (JsonNode)p).ToArray()),
        ["metadata"] = token.Meta is null ? null : new JsonObject(token.Meta.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
        ["entity_id"] = "",
        ["token_type"] = "service",
        ["token_ttl"] = token.CreationTtl,
        ["token_issue_time"] = TokenEntry.Rfc3339(token.IssueTime),
    };

    private JsonObject RequestJson(VaultRequest request) => new()
    {
        ["id"] = request.Id,
        ["operation"] = request.Operation.ToString().ToLowerInvariant(),
        ["mount_point"] = request.Mount?.Path ?? "",
        ["mount_type"] = request.Mount?.Type ?? "",
        ["mount_accessor"] = request.Mount?.Accessor ?? "",
        ["client_token"] = request.ClientToken is { Length: > 0 } t ? Hash(t) : "",
        ["client_token_accessor"] = request.Token is { } te ? Hash(te.Accessor) : "",
        ["namespace"] = new JsonObject { ["id"] = "root" },
        ["path"] = request.Path,
        ["data"] = request.Data.Count == 0 ? null : HashAll(request.Data),
        ["remote_address"] = request.RemoteAddress,
        ["remote_port"] = request.RemotePort,
    };

    /// <summary>A copy with every string value replaced by its HMAC (numbers, booleans and keys are kept, as Vault does).</summary>
    private JsonNode? HashAll(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, HashAll(p.Value)))),
        JsonArray a => new JsonArray(a.Select(HashAll).ToArray()),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => Hash(v.GetValue<string>()),
        _ => node.DeepClone(),
    };

    private async Task WriteAsync(JsonObject entry, CancellationToken ct)
    {
        var line = Encoding.UTF8.GetBytes(entry.ToJsonString() + "\n");
        await _gate.WaitAsync(ct);
        try
        {
            // One write(2) per line, no fsync: what Vault's file device does.
            _file?.Write(line);
            _file?.Flush();
        }
        finally
        {
            _gate.Release();
        }
    }
}
