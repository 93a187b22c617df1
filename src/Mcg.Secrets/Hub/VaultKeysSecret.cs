using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The Secret <c>imperative/vaultkeys</c> (key <c>vault_data_json</c>) in which the validated patterns keep the answer
/// of <c>vault operator init -format=json</c>, so that the hub can unseal its Vault after a restart.
/// </summary>
public static class VaultKeysSecret
{
    public const string Namespace = "imperative";
    public const string Name = "vaultkeys";
    public const string Key = "vault_data_json";
    private static readonly ResourceRef Secrets = new("", "v1", "secrets", "Secret", true);

    public static async Task<VaultInitFile?> ReadAsync(IKubeClient client, CancellationToken ct)
    {
        var secret = await client.GetAsync(Secrets, Namespace, Name, ct);
        if (secret?["data"]?[Key]?.GetValue<string>() is not { } data)
        {
            return null;
        }
        return VaultInitFile.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(data)), $"Secret {Namespace}/{Name} key {Key}");
    }

    public static async Task WriteAsync(IKubeClient client, VaultInitFile keys, string fieldManager, CancellationToken ct)
    {
        await client.ApplyAsync(ResourceRef.Namespaces, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = Namespace },
        }, new ApplyOptions(fieldManager), ct);
        await client.ApplyAsync(Secrets, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace },
            ["type"] = "Opaque",
            ["data"] = new JsonObject { [Key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(keys.ToJson())) },
        }, new ApplyOptions(fieldManager) { Force = true }, ct);
    }

    public static Task DeleteAsync(IKubeClient client, CancellationToken ct) => client.DeleteAsync(Secrets, Namespace, Name, null, ct);
}
