using System.Globalization;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Diff;

/// <summary>RFC 6901 JSON pointers, resolved for removal.</summary>
internal static class JsonPointer
{
    /// <summary>The location the pointer's <paramref name="tokens"/> name, or null when it does not exist in <paramref name="root"/>.</summary>
    public static JsonLocation? Find(JsonObject root, IReadOnlyList<string> tokens)
    {
        JsonNode? node = root;
        JsonLocation? location = null;
        foreach (var token in tokens)
        {
            switch (node)
            {
                case JsonObject obj when obj.TryGetPropertyValue(token, out var child):
                    location = JsonLocation.Of(obj, token);
                    node = child;
                    break;
                case JsonArray array when IsIndex(token, out var index) && index < array.Count:
                    location = JsonLocation.Of(array, index);
                    node = array[index];
                    break;
                default:
                    return null;
            }
        }
        return location;
    }

    /// <summary>The unescaped reference tokens of <paramref name="pointer"/>.</summary>
    /// <exception cref="ArgumentException">The pointer is malformed or names the whole document.</exception>
    public static IReadOnlyList<string> Parse(string pointer)
    {
        if (pointer.Length == 0)
        {
            throw new ArgumentException("JSON pointer \"\" names the whole object, which cannot be ignored", nameof(pointer));
        }
        if (pointer[0] != '/')
        {
            throw new ArgumentException($"JSON pointer \"{pointer}\" must start with '/'", nameof(pointer));
        }
        var tokens = new List<string>();
        foreach (var raw in pointer[1..].Split('/'))
        {
            for (var i = raw.IndexOf('~'); i >= 0; i = raw.IndexOf('~', i + 1))
            {
                if (i + 1 >= raw.Length || raw[i + 1] is not ('0' or '1'))
                {
                    throw new ArgumentException($"JSON pointer \"{pointer}\" has an invalid '~' escape", nameof(pointer));
                }
            }
            // "~1" first: "~01" must decode to "~1", not "/".
            tokens.Add(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }
        return tokens;
    }

    private static bool IsIndex(string token, out int index)
    {
        index = -1;
        return token.Length > 0 && token.All(char.IsAsciiDigit) && (token == "0" || token[0] != '0')
            && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
