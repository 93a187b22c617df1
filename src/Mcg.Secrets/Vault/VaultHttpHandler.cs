using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The <c>/v1/</c> HTTP API: maps methods to operations (GET, LIST or <c>GET ?list=true</c>, POST/PUT, PATCH, DELETE),
/// answers the unauthenticated sys endpoints, rejects everything else while sealed (503), routes to the backend of the
/// longest matching mount, authenticates the token, resolves create vs update, enforces the ACL (and sudo), audits,
/// and writes Vault's envelope or <c>{"errors":[...]}</c>.
/// </summary>
public sealed class VaultHttpHandler(VaultCore core, ILogger<VaultHttpHandler> logger, VaultMetrics? metrics = null)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private readonly VaultMetrics _metrics = metrics ?? VaultMetrics.Shared;

    public async Task HandleAsync(HttpContext http)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await HandleRequestAsync(http);
        }
        finally
        {
            _metrics.Record(http.Request.Method, VaultMetrics.RouteOf(http.Request.Path.Value, core.Mounts), http.Response.StatusCode,
                System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task HandleRequestAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        var requestId = Guid.NewGuid().ToString();
        try
        {
            var rawPath = http.Request.Path.Value ?? "";
            if (!rawPath.StartsWith("/v1/", StringComparison.Ordinal))
            {
                await WriteJsonAsync(http, 404, new JsonObject { ["errors"] = new JsonArray() });
                return;
            }
            var path = Uri.UnescapeDataString(rawPath["/v1/".Length..]);
            var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
            var method = http.Request.Method.ToUpperInvariant();
            var operation = method switch
            {
                "GET" or "HEAD" when query.TryGetValue("list", out var l) && l is "true" or "1" => VaultOperation.List,
                "GET" or "HEAD" => VaultOperation.Read,
                "LIST" => VaultOperation.List,
                "POST" or "PUT" => VaultOperation.Update,
                "PATCH" => VaultOperation.Patch,
                "DELETE" => VaultOperation.Delete,
                _ => throw new VaultException(405, []),
            };
            if (await UnauthenticatedSysAsync(http, path.TrimEnd('/'), method, query, ct))
            {
                return;
            }
            if (!await core.IsInitializedAsync(ct) || core.IsSealed)
            {
                throw VaultException.Sealed();
            }
            if (operation == VaultOperation.List && !path.EndsWith('/'))
            {
                path += "/";
            }
            var request = new VaultRequest
            {
                Id = requestId,
                Path = path,
                Operation = operation,
                Data = await ReadBodyAsync(http, ct),
                Query = query,
                ContentType = http.Request.ContentType,
                ClientToken = ClientToken(http),
                RemoteAddress = http.Connection.RemoteIpAddress?.ToString() ?? "",
                RemotePort = http.Connection.RemotePort,
            };
            var response = await ExecuteAsync(request, ct);
            await WriteResponseAsync(http, request, response);
        }
        catch (VaultException e)
        {
            await WriteErrorAsync(http, e);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // The keyring was wiped by a concurrent seal.
            await WriteErrorAsync(http, VaultException.Sealed());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Request {RequestId} {Method} {Path} failed", requestId, http.Request.Method, http.Request.Path);
            await WriteErrorAsync(http, VaultException.Internal("internal error"));
        }
    }

    /// <summary>Routes, authenticates, authorises, audits and runs one request.</summary>
    public async Task<VaultResponse> ExecuteAsync(VaultRequest request, CancellationToken ct)
    {
        var backend = Route(request);
        var anonymous = backend.IsUnauthenticated(request);
        if (request.ClientToken is { Length: > 0 } clientToken)
        {
            request.Token = await core.Tokens.LookupAsync(clientToken, ct);
        }
        if (request.Operation == VaultOperation.Update && await backend.ExistsAsync(request, ct) == false)
        {
            request.Operation = VaultOperation.Create;
        }
        string? denied = null;
        if (!anonymous)
        {
            if (request.Token is null)
            {
                denied = "permission denied";
            }
            else
            {
                var acl = await core.Policies.AclForAsync(request.Token.Policies, ct);
                if (!acl.Allows(request.Path, request.Operation, backend.RequiresSudo(request)))
                {
                    denied = "1 error occurred:\n\t* permission denied\n\n";
                }
            }
        }
        var audit = core.Audit is { Enabled: true } ? core.Audit : null;
        if (audit is not null)
        {
            await audit.LogRequestAsync(request, denied, ct);
        }
        if (denied is not null)
        {
            var error = request.Token is null
                ? request.ClientToken is { Length: > 0 } ? VaultException.InvalidToken() : VaultException.Forbidden("permission denied")
                : VaultException.PermissionDenied();
            if (audit is not null)
            {
                await audit.LogResponseAsync(request, null, error.Message, ct);
            }
            throw error;
        }
        if (!anonymous)
        {
            request.Token = await core.Tokens.UseAsync(request.Token!, ct) ?? throw VaultException.InvalidToken();
        }
        VaultResponse response;
        try
        {
            response = await backend.HandleAsync(request, ct);
        }
        catch (VaultException e)
        {
            if (audit is not null && !core.IsSealed)
            {
                await audit.LogResponseAsync(request, null, e.Errors.Count > 0 ? string.Join("; ", e.Errors) : $"HTTP {e.Status}", ct);
            }
            throw;
        }
        if (audit is not null && !core.IsSealed)
        {
            await audit.LogResponseAsync(request, response, null, ct);
        }
        return response;
    }

    private IVaultBackend Route(VaultRequest request)
    {
        var path = request.Path;
        if (path.StartsWith("sys/", StringComparison.Ordinal) || path == "sys")
        {
            request.Mount = MountTable.System;
            request.Relative = path.Length > 4 ? path[4..] : "";
            return core.Sys;
        }
        if (path.StartsWith("auth/token/", StringComparison.Ordinal))
        {
            request.Mount = MountTable.TokenAuth;
            request.Relative = path["auth/token/".Length..];
            return core.TokenAuth;
        }
        if (path.StartsWith("auth/", StringComparison.Ordinal) && core.Mounts.FindAuth(path[5..]) is { } auth)
        {
            request.Mount = auth;
            request.Relative = path.Length > 5 + auth.Path.Length ? path[(5 + auth.Path.Length)..] : "";
            return core.Kubernetes;
        }
        if (core.Mounts.Find(path) is { } mount)
        {
            request.Mount = mount;
            request.Relative = path.Length > mount.Path.Length ? path[mount.Path.Length..] : "";
            return core.Kv;
        }
        throw VaultException.NoHandler(path);
    }

    /// <summary>sys/health, sys/seal-status, sys/init, sys/unseal and sys/leader: answered in any state, without a token.</summary>
    private async Task<bool> UnauthenticatedSysAsync(HttpContext http, string path, string method, Dictionary<string, string> query, CancellationToken ct)
    {
        var read = method is "GET" or "HEAD";
        var write = method is "PUT" or "POST";
        switch (path)
        {
            case "sys/health" when read:
                await HealthAsync(http, query, method == "HEAD", ct);
                return true;
            case "sys/seal-status" when read:
                await WriteJsonAsync(http, 200, await core.SealStatusAsync(ct));
                return true;
            case "sys/init" when read:
                await WriteJsonAsync(http, 200, new JsonObject { ["initialized"] = await core.IsInitializedAsync(ct) });
                return true;
            case "sys/init" when write:
                {
                    var body = await ReadBodyAsync(http, ct);
                    var fields = new VaultRequest { Id = "", Path = path, Operation = VaultOperation.Update, Data = body, Query = query };
                    var shares = (int)(fields.Int("secret_shares") ?? 0);
                    var threshold = (int)(fields.Int("secret_threshold") ?? 0);
                    if (body["pgp_keys"] is JsonArray { Count: > 0 })
                    {
                        throw VaultException.BadRequest("pgp_keys are not supported by this server");
                    }
                    var result = await core.InitializeAsync(shares, threshold, ct);
                    await WriteJsonAsync(http, 200, new JsonObject
                    {
                        ["keys"] = new JsonArray(result.Keys.Select(k => (JsonNode)Convert.ToHexStringLower(k)).ToArray()),
                        ["keys_base64"] = new JsonArray(result.Keys.Select(k => (JsonNode)Convert.ToBase64String(k)).ToArray()),
                        ["root_token"] = result.RootToken,
                    });
                    return true;
                }
            case "sys/unseal" when write:
                {
                    var body = await ReadBodyAsync(http, ct);
                    if (body["reset"] is JsonValue reset && reset.GetValueKind() == JsonValueKind.True)
                    {
                        core.ResetUnseal();
                    }
                    else
                    {
                        var key = body["key"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
                        if (string.IsNullOrEmpty(key))
                        {
                            throw VaultException.BadRequest("'key' must be specified in request body as JSON, or 'reset' set to true");
                        }
                        await core.SubmitUnsealKeyAsync(DecodeKey(key), ct);
                    }
                    await WriteJsonAsync(http, 200, await core.SealStatusAsync(ct));
                    return true;
                }
            case "sys/leader" when read:
                await WriteJsonAsync(http, 200, new JsonObject
                {
                    ["ha_enabled"] = false,
                    ["is_self"] = false,
                    ["active_time"] = "0001-01-01T00:00:00Z",
                    ["leader_address"] = "",
                    ["leader_cluster_address"] = "",
                    ["performance_standby"] = false,
                    ["performance_standby_last_remote_wal"] = 0,
                });
                return true;
            case "sys/health" or "sys/seal-status" or "sys/init" or "sys/unseal" or "sys/leader":
                throw VaultException.UnsupportedOperation();
            default:
                return false;
        }
    }

    private async Task HealthAsync(HttpContext http, Dictionary<string, string> query, bool head, CancellationToken ct)
    {
        var initialized = await core.IsInitializedAsync(ct);
        var sealedNow = core.IsSealed;
        int Code(string name, int fallback) => query.TryGetValue(name, out var v) && int.TryParse(v, out var c) ? c : fallback;
        var status = !initialized ? Code("uninitcode", 501) : sealedNow ? Code("sealedcode", 503) : Code("activecode", 200);
        var body = new JsonObject
        {
            ["initialized"] = initialized,
            ["sealed"] = sealedNow,
            ["standby"] = false,
            ["performance_standby"] = false,
            ["replication_performance_mode"] = "disabled",
            ["replication_dr_mode"] = "disabled",
            ["server_time_utc"] = core.Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["version"] = VaultCore.Version,
            ["enterprise"] = false,
            ["echo_duration_ms"] = 0,
            ["clock_skew_ms"] = 0,
            ["replication_primary_canary_age_ms"] = 0,
        };
        if (initialized && !sealedNow)
        {
            body["cluster_name"] = core.ClusterName;
            body["cluster_id"] = core.ClusterId;
        }
        if (head)
        {
            http.Response.StatusCode = status;
            return;
        }
        await WriteJsonAsync(http, status, body);
    }

    /// <summary>An unseal share in hex (Vault's <c>keys</c>) or base64 (<c>keys_base64</c>).</summary>
    private static byte[] DecodeKey(string key)
    {
        key = key.Trim();
        if (key.Length % 2 == 0 && key.All(Uri.IsHexDigit))
        {
            return Convert.FromHexString(key);
        }
        var buffer = new byte[key.Length];
        return Convert.TryFromBase64String(key, buffer, out var n)
            ? buffer[..n]
            : throw VaultException.BadRequest("'key' must be a valid hex or base64 string");
    }

    private static string? ClientToken(HttpContext http)
    {
        var token = http.Request.Headers["X-Vault-Token"].ToString();
        if (token.Length > 0)
        {
            return token;
        }
        var authorization = http.Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength == 0 || !http.Request.Body.CanRead)
        {
            return [];
        }
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0)
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) as JsonObject
                ?? throw VaultException.BadRequest("failed to parse JSON input: expected an object");
        }
        catch (JsonException e)
        {
            throw VaultException.BadRequest($"failed to parse JSON input: {e.Message}");
        }
    }

    /// <summary>The standard response envelope.</summary>
    public static JsonObject Envelope(string requestId, VaultResponse response, string mountType)
    {
        var body = new JsonObject
        {
            ["request_id"] = requestId,
            ["lease_id"] = "",
            ["renewable"] = false,
            ["lease_duration"] = 0,
            ["data"] = response.Data,
            ["wrap_info"] = null,
            ["warnings"] = response.Warnings is null ? null : new JsonArray(response.Warnings.Select(w => (JsonNode)w).ToArray()),
            ["auth"] = response.Auth,
            ["mount_type"] = mountType,
        };
        if (response.Extra is not null)
        {
            foreach (var (k, v) in response.Extra)
            {
                body[k] = v?.DeepClone();
            }
        }
        return body;
    }

    private async Task WriteResponseAsync(HttpContext http, VaultRequest request, VaultResponse response)
    {
        if (response.Raw is not null)
        {
            await WriteJsonAsync(http, response.Status, response.Raw);
            return;
        }
        if (response.Data is null && response.Auth is null && response.Warnings is null && response.Extra is null)
        {
            http.Response.StatusCode = 204;
            return;
        }
        var mountType = request.Mount is { } m && m != MountTable.System ? m.Type : "system";
        await WriteJsonAsync(http, response.Status, Envelope(request.Id, response, mountType));
    }

    private async Task WriteErrorAsync(HttpContext http, VaultException e)
    {
        if (http.Response.HasStarted)
        {
            return;
        }
        if (e.Status >= 500 && e.Status != 503)
        {
            logger.LogWarning("Request {Method} {Path} failed: {Status}", http.Request.Method, http.Request.Path, e.Status);
        }
        var body = e.Body ?? new JsonObject { ["errors"] = new JsonArray(e.Errors.Select(x => (JsonNode)x).ToArray()) };
        await WriteJsonAsync(http, e.Status, body);
    }

    private static async Task WriteJsonAsync(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(http.Response.Body);
        body.WriteTo(writer, Compact);
        await writer.FlushAsync(http.RequestAborted);
    }
}
