using System.Text.Json.Nodes;

namespace Mcg.Kube.Patching;

/// <summary>A JSON pointer (RFC 6901).</summary>
internal sealed class JsonPointer
{
    private JsonPointer(string text, string[] tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    public string Text { get; }

    public IReadOnlyList<string> Tokens { get; }

    public bool IsRoot => Tokens.Count == 0;

    /// <summary>The last reference token; only meaningful when not <see cref="IsRoot"/>.</summary>
    public string Last => Tokens[^1];

    public static JsonPointer? TryParse(string text)
    {
        if (text.Length == 0)
        {
            return new JsonPointer(text, []);
        }
        if (text[0] != '/')
        {
            return null;
        }
        // ~1 must be decoded before ~0 so that "~01" yields "~1" rather than "/".
        var tokens = text[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();
        return new JsonPointer(text, tokens);
    }

    public bool IsProperPrefixOf(JsonPointer other) =>
        other.Tokens.Count > Tokens.Count && Tokens.SequenceEqual(other.Tokens.Take(Tokens.Count));

    public bool TryGet(JsonNode? root, out JsonNode? value)
    {
        value = root;
        foreach (var token in Tokens)
        {
            if (!TryStep(value, token, out value))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The node holding the last token, or null when the path to it does not exist.</summary>
    public JsonNode? Parent(JsonNode? root)
    {
        var node = root;
        for (var i = 0; i < Tokens.Count - 1; i++)
        {
            if (!TryStep(node, Tokens[i], out node))
            {
                return null;
            }
        }
        return node is JsonObject or JsonArray ? node : null;
    }

    /// <summary>Parses an array index: decimal digits without leading zeros, below <paramref name="limit"/>.</summary>
    public static bool TryParseIndex(string token, int limit, out int index)
    {
        index = -1;
        var wellFormed = token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0');
        return wellFormed && int.TryParse(token, out index) && index < limit;
    }

    private static bool TryStep(JsonNode? node, string token, out JsonNode? child)
    {
        child = null;
        if (node is JsonObject o)
        {
            return o.TryGetPropertyValue(token, out child);
        }
        if (node is JsonArray a && TryParseIndex(token, a.Count, out var i))
        {
            child = a[i];
            return true;
        }
        return false;
    }
}
