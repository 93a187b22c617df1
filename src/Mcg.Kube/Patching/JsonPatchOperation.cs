using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

/// <summary>One validated JSON patch operation; <see cref="ApplyTo"/> mutates the document it is given.</summary>
internal sealed record JsonPatchOperation(string Op, JsonPointer Path, JsonPointer? From, JsonNode? Value)
{
    private static readonly HashSet<string> Ops = ["add", "remove", "replace", "move", "copy", "test"];

    public static JsonPatchOperation Parse(JsonNode? node, int index)
    {
        if (node is not JsonObject obj)
        {
            throw Malformed(index, "is not a JSON object");
        }
        var op = JsonNodes.AsString(obj["op"]) ?? throw Malformed(index, "has no \"op\"");
        if (!Ops.Contains(op))
        {
            throw Malformed(index, $"has unsupported op \"{op}\"");
        }
        var path = Pointer(obj, "path", index) ?? throw Malformed(index, "has no \"path\"");
        var from = Pointer(obj, "from", index);
        if (from is null && op is "move" or "copy")
        {
            throw Malformed(index, "has no \"from\"");
        }
        // "value": null is a legitimate value, so presence is checked rather than nullness.
        if (!obj.TryGetPropertyValue("value", out var value) && op is "add" or "replace" or "test")
        {
            throw Malformed(index, "has no \"value\"");
        }
        return new JsonPatchOperation(op, path, from, value);
    }

    /// <summary>Applies the operation and returns the document root, which "add"/"replace" at "" can swap.</summary>
    public JsonNode? ApplyTo(JsonNode? doc) => Op switch
    {
        "add" => Add(doc, Path, Value?.DeepClone()),
        "remove" => RemoveAt(doc, Path, "path").Doc,
        "replace" => Replace(doc),
        "move" => Move(doc),
        "copy" => Add(doc, Path, Get(doc, From!, "from path")?.DeepClone()),
        _ => Test(doc),
    };

    private JsonNode? Add(JsonNode? doc, JsonPointer path, JsonNode? value)
    {
        if (path.IsRoot)
        {
            return value;
        }
        switch (path.Parent(doc))
        {
            case JsonObject o:
                o[path.Last] = value;
                break;
            case JsonArray a when path.Last == "-":
                a.Add(value);
                break;
            case JsonArray a when JsonPointer.TryParseIndex(path.Last, a.Count + 1, out var i):
                a.Insert(i, value);
                break;
            case JsonArray:
                throw NotApplicable($"index out of bounds: \"{path.Text}\"");
            default:
                throw Missing("path", path);
        }
        return doc;
    }

    private (JsonNode? Doc, JsonNode? Removed) RemoveAt(JsonNode? doc, JsonPointer path, string what)
    {
        if (path.IsRoot)
        {
            throw NotApplicable("cannot remove the whole document");
        }
        switch (path.Parent(doc))
        {
            case JsonObject o when o.TryGetPropertyValue(path.Last, out var removed):
                o.Remove(path.Last);
                return (doc, removed);
            case JsonArray a when JsonPointer.TryParseIndex(path.Last, a.Count, out var i):
                var item = a[i];
                a.RemoveAt(i);
                return (doc, item);
            default:
                throw Missing(what, path);
        }
    }

    private JsonNode? Replace(JsonNode? doc)
    {
        if (Path.IsRoot)
        {
            return Value?.DeepClone();
        }
        switch (Path.Parent(doc))
        {
            case JsonObject o when o.ContainsKey(Path.Last):
                o[Path.Last] = Value?.DeepClone();
                return doc;
            case JsonArray a when JsonPointer.TryParseIndex(Path.Last, a.Count, out var i):
                a[i] = Value?.DeepClone();
                return doc;
            default:
                throw Missing("path", Path);
        }
    }

    private JsonNode? Move(JsonNode? doc)
    {
        if (From!.Text == Path.Text)
        {
            Get(doc, From, "from path");
            return doc;
        }
        if (From.IsProperPrefixOf(Path))
        {
            throw NotApplicable($"cannot move \"{From.Text}\" into its own child \"{Path.Text}\"");
        }
        var (afterRemove, value) = RemoveAt(doc, From, "from path");
        return Add(afterRemove, Path, value);
    }

    private JsonNode? Test(JsonNode? doc)
    {
        var actual = Get(doc, Path, "path");
        if (!JsonNode.DeepEquals(actual, Value))
        {
            throw NotApplicable($"testing value \"{Path.Text}\" failed: test failed");
        }
        return doc;
    }

    private JsonNode? Get(JsonNode? doc, JsonPointer path, string what) =>
        path.TryGet(doc, out var value) ? value : throw Missing(what, path);

    private PatchException Missing(string what, JsonPointer path) =>
        NotApplicable($"doc is missing {what}: \"{path.Text}\"");

    private PatchException NotApplicable(string reason) =>
        PatchException.Unprocessable($"jsonpatch {Op} operation does not apply: {reason}");

    private static JsonPointer? Pointer(JsonObject obj, string member, int index)
    {
        if (!obj.TryGetPropertyValue(member, out var node))
        {
            return null;
        }
        var text = JsonNodes.AsString(node) ?? throw Malformed(index, $"has a non-string \"{member}\"");
        return JsonPointer.TryParse(text) ?? throw Malformed(index, $"has an invalid \"{member}\" pointer \"{text}\"");
    }

    private static PatchException Malformed(int index, string problem) =>
        PatchException.Invalid($"invalid JSON patch: operation {index} {problem}");
}
