using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>A KV v2 mount's <c>config</c>.</summary>
public sealed record KvConfig(int MaxVersions = 0, bool CasRequired = false, long DeleteVersionAfterSeconds = 0);

/// <summary>One version's metadata inside a key's metadata.</summary>
public sealed record KvVersion(DateTimeOffset CreatedTime, DateTimeOffset? DeletionTime, bool Destroyed)
{
    public bool IsDeleted(DateTimeOffset now) => DeletionTime is { } d && d <= now;

    public JsonObject ToJson() => new()
    {
        ["created_time"] = TokenEntry.Rfc3339(CreatedTime),
        ["deletion_time"] = DeletionTime is { } d ? TokenEntry.Rfc3339(d) : "",
        ["destroyed"] = Destroyed,
    };
}

/// <summary>A key's metadata (<c>metadata/&lt;path&gt;</c>): settings and the version map.</summary>
public sealed record KvMetadata
{
    public required string Key { get; init; }
    public SortedDictionary<long, KvVersion> Versions { get; init; } = [];
    public long CurrentVersion { get; init; }
    public long OldestVersion { get; init; }
    public int MaxVersions { get; init; }
    public bool CasRequired { get; init; }
    public long DeleteVersionAfterSeconds { get; init; }
    public Dictionary<string, string>? CustomMetadata { get; init; }
    public DateTimeOffset CreatedTime { get; init; }
    public DateTimeOffset UpdatedTime { get; init; }

    public JsonObject ToJson() => new()
    {
        ["cas_required"] = CasRequired,
        ["created_time"] = TokenEntry.Rfc3339(CreatedTime),
        ["current_version"] = CurrentVersion,
        ["custom_metadata"] = CustomMetadataJson(),
        ["delete_version_after"] = Durations.ToGoString(TimeSpan.FromSeconds(DeleteVersionAfterSeconds)),
        ["max_versions"] = MaxVersions,
        ["oldest_version"] = OldestVersion,
        ["updated_time"] = TokenEntry.Rfc3339(UpdatedTime),
        ["versions"] = new JsonObject(Versions.Select(v => KeyValuePair.Create(v.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)v.Value.ToJson()))),
    };

    /// <summary>The per-version <c>metadata</c> block of a read, write or patch.</summary>
    public JsonObject VersionJson(long version)
    {
        var v = Versions[version];
        var json = v.ToJson();
        json["custom_metadata"] = CustomMetadataJson();
        json["version"] = version;
        return json;
    }

    public JsonObject? CustomMetadataJson() =>
        CustomMetadata is null ? null : new JsonObject(CustomMetadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
}

/// <summary>The stored data of one version.</summary>
public sealed record KvVersionData(string Data, DateTimeOffset CreatedTime);
