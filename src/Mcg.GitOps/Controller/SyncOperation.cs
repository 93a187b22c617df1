using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Controller;

/// <summary>An Application's <c>operation.sync</c> (manual sync, auto-sync or rollback), upstream field names.</summary>
public sealed record SyncOperation(
    string? Revision,
    bool Prune,
    bool DryRun,
    IReadOnlySet<string> SyncOptions,
    IReadOnlyList<(string Group, string Kind, string Name, string? Namespace)>? Resources,
    ApplicationSource? Source,
    JsonObject InitiatedBy,
    JsonObject Raw)
{
    public bool IsAutomated => InitiatedBy["automated"]?.GetValue<bool>() == true;

    public static SyncOperation Parse(JsonObject operation)
    {
        var sync = operation["sync"] as JsonObject ?? throw new InvalidSpecException("operation.sync is required (only sync operations are supported)");
        var resources = (sync["resources"] as JsonArray)?.OfType<JsonObject>()
            .Select(r => (r.GetString("group") ?? "", r.GetString("kind") ?? "", r.GetString("name") ?? "", r.GetString("namespace")))
            .ToList();
        return new SyncOperation(
            sync.GetString("revision"),
            sync["prune"]?.GetValue<bool>() ?? false,
            sync["dryRun"]?.GetValue<bool>() ?? false,
            (sync["syncOptions"] as JsonArray)?.Select(o => o?.GetValue<string>() ?? "").ToHashSet() ?? [],
            resources,
            sync["source"] is JsonObject src ? ApplicationSource.Parse(src, "operation.sync.source") : null,
            operation["initiatedBy"] as JsonObject ?? new JsonObject { ["username"] = "unknown" },
            operation);
    }

    public static JsonObject Automated(string revision, bool prune, IEnumerable<string> options) => new()
    {
        ["sync"] = new JsonObject
        {
            ["revision"] = revision,
            ["prune"] = prune,
            ["syncOptions"] = new JsonArray(options.Select(o => (JsonNode)o).ToArray()),
        },
        ["initiatedBy"] = new JsonObject { ["automated"] = true },
        ["retry"] = new JsonObject(),
    };
}
