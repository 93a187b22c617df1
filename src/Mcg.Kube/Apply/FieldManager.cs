using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Apply;

/// <summary>
/// Server-side apply and field ownership over <c>metadata.managedFields</c>, following structured-merge-diff: appliers
/// merge their configuration and conflict with other owners of values they change; every other write takes ownership
/// of what it changed.
/// </summary>
public sealed class FieldManager
{
    private const string StatusSubresource = "status";

    // Fields the server owns: never recorded in a manager's set, never pruned, never merged from an apply over them.
    private static readonly ImmutableArray<string> ServerMetadata =
        ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "selfLink", "managedFields"];

    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="manager"/> over <paramref name="live"/> (null to create).
    /// Conflicts are fields another manager owns whose value the apply would change; with <paramref name="force"/> they
    /// change hands instead. Fields the manager applied before but no longer does, and nobody else owns, are removed.
    /// A status subresource apply sets only <c>status</c>; a main resource apply sets everything given, so the caller
    /// drops <c>status</c> first for kinds that have the subresource. Throws <see cref="ApplyException"/> for an invalid
    /// configuration. Neither argument is modified.
    /// </summary>
    public ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, DateTimeOffset now, bool isStatusSubresource = false)
    {
        Validate(applied);
        var subresource = isStatusSubresource ? StatusSubresource : null;
        var config = Configuration(applied, isStatusSubresource, live is not null);
        var entries = ManagedFieldsEntry.Read(live);
        var mine = entries.FindIndex(e => e.Manager == manager && e.Operation == ManagedFieldsEntry.ApplyOperation && e.Subresource == subresource);
        var previous = mine >= 0 ? entries[mine] : null;
        var appliedSet = FieldSet.FromObject(config).Difference(ServerFields());

        var before = live is null ? null : WithoutManagedFields(live);
        var merged = before is null ? config : ApplyMerge.Merge(before, config);
        if (previous is not null)
        {
            var others = entries.Where((_, i) => i != mine).Aggregate(ServerFields(), (owned, e) => owned.Union(e.Fields));
            Pruner.Prune(merged, previous.Fields, others.Union(appliedSet));
        }

        var changes = ObjectComparison.Of(before, merged);
        var conflicts = entries
            .Where((_, i) => i != mine)
            .SelectMany(e => e.Fields.Intersection(changes.Changed).Paths.Select(p => new ApplyConflict(e, p)))
            .OrderBy(c => c.Owner.Identity, StringComparer.Ordinal)
            .ToList();
        if (conflicts.Count > 0 && !force)
        {
            return ApplyResult.Failure(conflicts);
        }

        var unchanged = previous is not null && changes.IsEmpty && previous.Fields.SetEquals(appliedSet) && previous.ApiVersion == applied.ApiVersion();
        var updated = entries.Select((e, i) => i == mine
            ? e with { ApiVersion = applied.ApiVersion(), Time = unchanged ? e.Time : ManagedFieldsEntry.FormatTime(now), Fields = appliedSet }
            : e with { Fields = e.Fields.Difference(changes.Changed).Difference(changes.Removed) }).ToList();
        if (previous is null)
        {
            updated.Add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.ApplyOperation, applied.ApiVersion(), ManagedFieldsEntry.FormatTime(now), subresource, appliedSet));
        }
        RemoveNulls(merged);
        ManagedFieldsEntry.Write(merged, updated);
        return ApplyResult.Success(merged);
    }

    /// <summary>
    /// Records a create, update or patch by <paramref name="manager"/>: what it added or changed becomes its own (taken from
    /// anyone else), and what it removed is nobody's. Returns a copy of <paramref name="updated"/> with managedFields set.
    /// </summary>
    public JsonObject RecordUpdate(JsonObject? old, JsonObject updated, string manager, DateTimeOffset now, string? subresource = null)
    {
        // Like upstream, a write to the main resource may replace managedFields itself (e.g. to reset them); otherwise, and
        // for clients that drop the field, the stored entries carry over.
        var entries = subresource is null && ManagedFieldsEntry.Read(updated) is { Count: > 0 } provided
            ? provided
            : ManagedFieldsEntry.Read(old);
        var result = WithoutManagedFields(updated);
        var changes = ObjectComparison.Of(old is null ? null : WithoutManagedFields(old), result);
        var changed = changes.Changed.Difference(ServerFields());

        var apiVersion = updated.ApiVersion();
        var kept = entries.Select(e => e with { Fields = e.Fields.Difference(changes.Changed).Difference(changes.Removed) }).ToList();
        if (!changed.IsEmpty)
        {
            var mine = entries.FindIndex(e => e.Manager == manager && e.Operation == ManagedFieldsEntry.UpdateOperation
                && e.ApiVersion == apiVersion && e.Subresource == subresource);
            var time = ManagedFieldsEntry.FormatTime(now);
            if (mine >= 0)
            {
                kept[mine] = kept[mine] with { Fields = kept[mine].Fields.Union(changed), Time = time };
            }
            else
            {
                kept.Add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.UpdateOperation, apiVersion, time, subresource, changed));
            }
        }
        ManagedFieldsEntry.Write(result, kept);
        return result;
    }

    private static void Validate(JsonObject applied)
    {
        if (string.IsNullOrEmpty(applied.ApiVersion()))
        {
            throw new ApplyException("apiVersion must be set in the applied configuration");
        }
        if (string.IsNullOrEmpty(applied.Kind()))
        {
            throw new ApplyException("kind must be set in the applied configuration");
        }
        if (string.IsNullOrEmpty(applied.Name()))
        {
            throw new ApplyException("metadata.name must be set in the applied configuration");
        }
        if ((applied["metadata"] as JsonObject)?["managedFields"] is not null)
        {
            throw new ApplyException("metadata.managedFields must be nil");
        }
    }

    /// <summary>
    /// What the apply sets: for the status subresource only status (plus the identifying fields); over a live object
    /// never the server's metadata, which the live object keeps.
    /// </summary>
    private static JsonObject Configuration(JsonObject applied, bool statusOnly, bool hasLive)
    {
        var config = (JsonObject)applied.DeepClone();
        if (statusOnly)
        {
            var metadata = config.Metadata();
            config = new JsonObject
            {
                ["apiVersion"] = applied.ApiVersion(),
                ["kind"] = applied.Kind(),
                ["metadata"] = new JsonObject { ["name"] = applied.Name() },
            };
            if (metadata["namespace"] is { } ns)
            {
                config.Metadata()["namespace"] = ns.DeepClone();
            }
            if (applied["status"] is { } status)
            {
                config["status"] = status.DeepClone();
            }
        }
        if (hasLive)
        {
            foreach (var field in ServerMetadata)
            {
                config.Metadata().Remove(field);
            }
        }
        return config;
    }

    /// <summary>The paths upstream strips from every manager's set (stripmeta.go), plus deletionTimestamp.</summary>
    private static FieldSet ServerFields() => FieldSet.FromPaths(
        new[] { "name", "namespace", "clusterName" }.Concat(ServerMetadata).Select(f => FieldPath.Of("metadata", f))
            .Append(FieldPath.Of("apiVersion"))
            .Append(FieldPath.Of("kind"))
            .Append(FieldPath.Of("metadata")));

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    // An applied null clears a field (and is owned, so others changing it conflict); the stored object drops it.
    private static void RemoveNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var field in map.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    map.Remove(field);
                }
                foreach (var (_, value) in map)
                {
                    RemoveNulls(value);
                }
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    RemoveNulls(item);
                }
                break;
        }
    }
}
