using System.Globalization;
using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>One entry of <c>metadata.managedFields</c>.</summary>
public sealed record ManagedFieldsEntry(string Manager, string Operation, string? ApiVersion, string? Time, string? Subresource, FieldSet Fields)
{
    public const string ApplyOperation = "Apply";
    public const string UpdateOperation = "Update";

    /// <summary>
    /// Who the entry belongs to, as upstream's manager identifier: manager, operation and subresource, plus the apiVersion
    /// for updaters only, so an applier keeps one entry across versions. Also the order conflicts are reported in.
    /// </summary>
    public string Identity =>
        "{\"manager\":" + JsonText.Quote(Manager) + ",\"operation\":" + JsonText.Quote(Operation)
        + (Operation == ApplyOperation || ApiVersion is null ? "" : ",\"apiVersion\":" + JsonText.Quote(ApiVersion))
        + (string.IsNullOrEmpty(Subresource) ? "" : ",\"subresource\":" + JsonText.Quote(Subresource))
        + "}";

    /// <summary>The manager as Kubernetes names it in conflict messages: <c>"alice"</c>, <c>"kubectl" using v1</c>.</summary>
    public string Description =>
        JsonText.Quote(Manager)
        + (string.IsNullOrEmpty(Subresource) ? "" : " with subresource " + JsonText.Quote(Subresource))
        + (Operation == UpdateOperation ? " using " + ApiVersion : "");

    /// <summary>RFC 3339 at whole seconds in UTC, as metav1.Time serialises.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The entries of <c>metadata.managedFields</c>; empty when absent.</summary>
    public static List<ManagedFieldsEntry> Read(JsonObject? obj)
    {
        var entries = new List<ManagedFieldsEntry>();
        if ((obj?["metadata"] as JsonObject)?["managedFields"] is not JsonArray list)
        {
            return entries;
        }
        foreach (var node in list.OfType<JsonObject>())
        {
            entries.Add(new ManagedFieldsEntry(
                String(node, "manager") ?? "",
                String(node, "operation") ?? "",
                String(node, "apiVersion"),
                String(node, "time"),
                String(node, "subresource") is { Length: > 0 } subresource ? subresource : null,
                node["fieldsV1"] is JsonObject fields ? FieldSet.FromFieldsV1(fields) : new FieldSet()));
        }
        return entries;
    }

    /// <summary>Sets <c>metadata.managedFields</c> to the non-empty entries, or removes it when there are none.</summary>
    public static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries)
    {
        var list = new JsonArray([.. entries.Where(e => !e.Fields.IsEmpty).Select(e => e.ToJson())]);
        var metadata = obj["metadata"] as JsonObject;
        if (list.Count > 0)
        {
            metadata ??= (JsonObject)(obj["metadata"] = new JsonObject());
            metadata["managedFields"] = list;
        }
        else
        {
            metadata?.Remove("managedFields");
        }
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["manager"] = Manager, ["operation"] = Operation };
        if (ApiVersion is not null)
        {
            json["apiVersion"] = ApiVersion;
        }
        if (Time is not null)
        {
            json["time"] = Time;
        }
        json["fieldsType"] = "FieldsV1";
        json["fieldsV1"] = Fields.ToFieldsV1();
        if (!string.IsNullOrEmpty(Subresource))
        {
            json["subresource"] = Subresource;
        }
        return json;
    }

    private static string? String(JsonObject node, string key) =>
        node[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
