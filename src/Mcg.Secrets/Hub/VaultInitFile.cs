using System.Text;
using System.Text.Json.Nodes;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The answer of <c>sys/init</c> kept on disk in <c>vault operator init -format=json</c> form (what the validated
/// patterns keep in their <c>vaultkeys</c> secret): unseal keys and the root token. Written 0600.
/// </summary>
public sealed record VaultInitFile(IReadOnlyList<string> UnsealKeysHex, IReadOnlyList<string> UnsealKeysB64, int Threshold, string RootToken)
{
    public static VaultInitFile? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Reads the <c>vault operator init -format=json</c> document; <paramref name="path"/> names it in errors.</summary>
    public static VaultInitFile Parse(string text, string path)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException($"{path}: not a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"{path}: not valid JSON: {e.Message}", e);
        }
        IReadOnlyList<string> Strings(string field) => (json[field] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToList() ?? [];
        var hex = Strings("unseal_keys_hex");
        if (hex.Count == 0)
        {
            throw new InvalidOperationException($"{path}: unseal_keys_hex is missing or empty");
        }
        var token = json["root_token"]?.GetValue<string>() is { Length: > 0 } t ? t : throw new InvalidOperationException($"{path}: root_token is missing");
        return new VaultInitFile(hex, Strings("unseal_keys_b64"), json["unseal_threshold"]?.GetValue<int>() ?? hex.Count, token);
    }

    public static VaultInitFile From(VaultInitResponse init, int threshold) => new(init.Keys, init.KeysBase64, threshold, init.RootToken);

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ToJson() + "\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, AtomicFile.NewFileMode);
        }
    }

    public string ToJson()
    {
        JsonArray Array(IEnumerable<string> s) => new(s.Select(x => (JsonNode)x).ToArray());
        var json = new JsonObject
        {
            ["unseal_keys_b64"] = Array(UnsealKeysB64),
            ["unseal_keys_hex"] = Array(UnsealKeysHex),
            ["unseal_shares"] = UnsealKeysHex.Count,
            ["unseal_threshold"] = Threshold,
            ["recovery_keys_b64"] = new JsonArray(),
            ["recovery_keys_hex"] = new JsonArray(),
            ["recovery_keys_shares"] = 0,
            ["recovery_keys_threshold"] = 0,
            ["root_token"] = RootToken,
        };
        return json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
