using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// The name suffix of generated ConfigMaps and Secrets, byte for byte as kustomize v5.5 computes it: SHA-256 of the
/// Go-encoded JSON of kind, data (and type, binaryData/stringData), with an empty name — kustomize looks the name up
/// with a path that never resolves — then the first ten hex digits with 0,1,3,a,e replaced by g,h,k,m,t.
/// </summary>
internal static class NameHasher
{
    public static string Hash(JsonObject obj)
    {
        var kind = obj["kind"]?.GetValue<string>();
        var fields = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["kind"] = kind,
            ["name"] = "",
            ["data"] = Value(obj, "data"),
        };
        var extra = kind == "Secret" ? "stringData" : "binaryData";
        if (obj[extra] is JsonObject)
        {
            fields[extra] = Value(obj, extra);
        }
        if (kind == "Secret")
        {
            fields["type"] = Value(obj, "type");
        }
        var json = new StringBuilder();
        WriteObject(json, fields);
        var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ToString())));
        return new string(hex[..10].Select(c => c switch { '0' => 'g', '1' => 'h', '3' => 'k', 'a' => 'm', 'e' => 't', _ => c }).ToArray());
    }

    private static JsonNode? Value(JsonObject obj, string field) => obj[field] switch
    {
        null => "",
        JsonValue v => v.GetValueKind() == JsonValueKind.String ? v : JsonValue.Create(v.ToJsonString()),
        var other => other,
    };

    private static void WriteObject(StringBuilder sb, IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        sb.Append('{');
        var first = true;
        foreach (var (k, v) in fields.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            WriteString(sb, k);
            sb.Append(':');
            Write(sb, v);
        }
        sb.Append('}');
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                WriteObject(sb, o);
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }
                    Write(sb, a[i]);
                }
                sb.Append(']');
                break;
            default:
                if (node.GetValueKind() == JsonValueKind.String)
                {
                    WriteString(sb, node.GetValue<string>());
                }
                else
                {
                    sb.Append(node.ToJsonString());
                }
                break;
        }
    }

    /// <summary>A string as Go's encoding/json writes it (HTML-safe escaping).</summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                case < ' ':
                    sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
