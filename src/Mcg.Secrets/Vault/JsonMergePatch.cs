using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>RFC 7386 JSON merge patch, as KV v2's PATCH applies it to a version's data.</summary>
public static class JsonMergePatch
{
    public static JsonObject Apply(JsonObject target, JsonObject patch)
    {
        var result = (JsonObject)target.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject child)
            {
                result[key] = Apply(result[key] as JsonObject ?? [], child);
            }
            else
            {
                result[key] = value.DeepClone();
            }
        }
        return result;
    }
}
