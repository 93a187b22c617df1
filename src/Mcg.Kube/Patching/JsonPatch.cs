using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

/// <summary>JSON patch (RFC 6902).</summary>
public static class JsonPatch
{
    /// <summary>
    /// Applies the operations in <paramref name="patch"/> (a JSON array) to <paramref name="target"/>;
    /// neither input is modified. Throws <see cref="PatchException"/> when the patch is malformed or does not apply.
    /// </summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode patch)
    {
        if (patch is not JsonArray operations)
        {
            throw PatchException.Invalid("invalid JSON patch: expected a JSON array of operations");
        }
        // Validate every operation up front so a malformed patch is reported as such even when an earlier one fails.
        var parsed = operations.Select((op, index) => JsonPatchOperation.Parse(op, index)).ToList();
        var document = target?.DeepClone();
        foreach (var operation in parsed)
        {
            document = operation.ApplyTo(document);
        }
        return document;
    }
}
