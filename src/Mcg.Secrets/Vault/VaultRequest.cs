using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>A routed API request: the path under <c>/v1/</c>, the logical operation, the JSON body and the caller's token.</summary>
public sealed class VaultRequest
{
    public required string Id { get; init; }
    public required string Path { get; init; }
    public required VaultOperation Operation { get; set; }
    public JsonObject Data { get; init; } = [];
    public required IReadOnlyDictionary<string, string> Query { get; init; }
    public string? ContentType { get; init; }
    public string? ClientToken { get; init; }
    public TokenEntry? Token { get; set; }
    public string RemoteAddress { get; init; } = "";
    public int RemotePort { get; init; }

    /// <summary>The mount that serves the path (a secrets engine, an auth method, or <c>sys/</c>).</summary>
    public MountEntry? Mount { get; set; }

    /// <summary>The path relative to the mount (e.g. <c>data/app/db</c> for <c>secret/data/app/db</c>).</summary>
    public string Relative { get; set; } = "";

    /// <summary>A body field, else the query parameter of the same name.</summary>
    public JsonNode? Field(string name) => Data[name] ?? (Query.TryGetValue(name, out var q) ? JsonValue.Create(q) : null);

    public string? String(string name) => Field(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        JsonNode n => n.ToJsonString(),
    };

    public bool? Bool(string name) => Field(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && bool.TryParse(v.GetValue<string>(), out var b) => b,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.GetValue<double>() != 0,
        var n => throw VaultException.BadRequest($"error converting input {n.ToJsonString()} for field \"{name}\": cannot parse '' as bool"),
    };

    public long? Int(string name) => Field(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => (long)v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && long.TryParse(v.GetValue<string>(), out var l) => l,
        var n => throw VaultException.BadRequest($"error converting input {n.ToJsonString()} for field \"{name}\": cannot parse as int"),
    };

    /// <summary>Vault's comma-string-slice fields: a JSON array or a comma-separated string.</summary>
    public List<string>? StringList(string name) => Field(name) switch
    {
        null => null,
        JsonArray a => a.Select(x => x is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : x?.ToJsonString() ?? "")
            .Select(s => s.Trim()).Where(s => s.Length > 0).ToList(),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String =>
            v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
        var n => throw VaultException.BadRequest($"error converting input {n.ToJsonString()} for field \"{name}\""),
    };

    public TimeSpan? Duration(string name) => Durations.FromJson(Field(name), name);

    public Dictionary<string, string>? StringMap(string name) => Field(name) switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : p.Value?.ToJsonString() ?? ""),
        var n => throw VaultException.BadRequest($"error converting input {n.ToJsonString()} for field \"{name}\": expected a map"),
    };
}

/// <summary>
/// What a handler answers. <see cref="Raw"/> bodies (sys/health, sys/init…) are written as they are; otherwise the
/// standard envelope (request_id, lease_id, renewable, lease_duration, data, wrap_info, warnings, auth, mount_type).
/// A response without data, auth or warnings is a 204.
/// </summary>
public sealed class VaultResponse
{
    public int Status { get; init; } = 200;
    public JsonObject? Data { get; init; }
    public JsonObject? Auth { get; init; }
    public List<string>? Warnings { get; set; }
    public JsonNode? Raw { get; init; }

    /// <summary>Top-level fields written next to the envelope (legacy sys endpoints answer both ways).</summary>
    public JsonObject? Extra { get; init; }

    public static VaultResponse NoContent() => new() { Status = 204 };

    public static VaultResponse Of(JsonObject data) => new() { Data = data };

    public static VaultResponse RawJson(JsonNode body, int status = 200) => new() { Raw = body, Status = status };

    public static VaultResponse Keys(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        if (list.Count == 0)
        {
            throw VaultException.NotFound();
        }
        return Of(new JsonObject { ["keys"] = new JsonArray(list.Select(k => (JsonNode)k).ToArray()) });
    }
}

/// <summary>A mounted backend: a secrets engine, an auth method, or the system/token backends.</summary>
public interface IVaultBackend
{
    /// <summary>For a create-or-update: whether the target exists (null when the path has no existence check, so it is an update).</summary>
    Task<bool?> ExistsAsync(VaultRequest request, CancellationToken ct);

    /// <summary>Paths that need no token (logins).</summary>
    bool IsUnauthenticated(VaultRequest request) => false;

    /// <summary>Root-protected paths, which additionally need <c>sudo</c>.</summary>
    bool RequiresSudo(VaultRequest request) => false;

    Task<VaultResponse> HandleAsync(VaultRequest request, CancellationToken ct);
}
