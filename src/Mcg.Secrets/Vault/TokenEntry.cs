using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>A service token as stored (encrypted) in the barrier. Times are UTC; a null <see cref="ExpireTime"/> never expires.</summary>
public sealed record TokenEntry
{
    public required string Id { get; init; }
    public required string Accessor { get; init; }
    public string? ParentHash { get; init; }
    public required List<string> Policies { get; init; }
    public Dictionary<string, string>? Meta { get; init; }
    public string DisplayName { get; init; } = "token";
    public required string Path { get; init; }
    public DateTimeOffset IssueTime { get; init; }
    public DateTimeOffset? LastRenewalTime { get; init; }
    public DateTimeOffset? ExpireTime { get; init; }
    public long CreationTtl { get; init; }
    public long ExplicitMaxTtl { get; init; }
    public long Period { get; init; }
    public int NumUses { get; init; }
    public bool Renewable { get; init; }
    public bool Orphan { get; init; }

    public bool IsRoot => Policies.Contains(AclPolicy.Root);

    public long TtlSeconds(DateTimeOffset now) => ExpireTime is { } e ? Math.Max(0, (long)Math.Ceiling((e - now).TotalSeconds)) : 0;

    /// <summary>The <c>data</c> of <c>auth/token/lookup(-self)</c>; ESO needs <c>type</c>, numeric <c>ttl</c> and <c>expire_time</c>.</summary>
    public JsonObject ToLookupData(DateTimeOffset now) => new()
    {
        ["accessor"] = Accessor,
        ["creation_time"] = IssueTime.ToUnixTimeSeconds(),
        ["creation_ttl"] = CreationTtl,
        ["display_name"] = DisplayName,
        ["entity_id"] = "",
        ["expire_time"] = ExpireTime is { } e ? Rfc3339(e) : null,
        ["explicit_max_ttl"] = ExplicitMaxTtl,
        ["id"] = Id,
        ["issue_time"] = Rfc3339(IssueTime),
        ["last_renewal_time"] = LastRenewalTime is { } r ? r.ToUnixTimeSeconds() : null,
        ["meta"] = Meta is null ? null : new JsonObject(Meta.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
        ["num_uses"] = NumUses,
        ["orphan"] = Orphan,
        ["path"] = Path,
        ["period"] = Period == 0 ? null : Period,
        ["policies"] = new JsonArray(Policies.Select(p => (JsonNode)p).ToArray()),
        ["renewable"] = Renewable,
        ["ttl"] = TtlSeconds(now),
        ["type"] = "service",
    };

    /// <summary>The <c>auth</c> block of a login, create or renew response.</summary>
    public JsonObject ToAuth(DateTimeOffset now, IReadOnlyList<string>? tokenPolicies = null) => new()
    {
        ["client_token"] = Id,
        ["accessor"] = Accessor,
        ["policies"] = new JsonArray(Policies.Select(p => (JsonNode)p).ToArray()),
        ["token_policies"] = new JsonArray((tokenPolicies ?? Policies).Select(p => (JsonNode)p).ToArray()),
        ["metadata"] = Meta is null ? null : new JsonObject(Meta.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
        ["lease_duration"] = TtlSeconds(now),
        ["renewable"] = Renewable,
        ["entity_id"] = "",
        ["token_type"] = "service",
        ["orphan"] = Orphan,
        ["mfa_requirement"] = null,
        ["num_uses"] = NumUses,
    };

    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
