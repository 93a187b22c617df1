using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The user's own Vault, as <c>mcg install --vault-addr</c> records it on the hub in Secret
/// <c>imperative/vault-external</c> (keys <c>address</c>, <c>ca.crt</c>, <c>token</c>): its presence switches the hub to
/// external mode, where <see cref="ExternalVaultTokens"/> gives every cluster a token of its own instead of the hub's
/// Vault and spoke init. The management token never leaves that Secret (the <c>imperative</c> namespace is the
/// patterns' place for the hub's Vault credentials, next to <c>vaultkeys</c>); never log it.
/// </summary>
public sealed record ExternalVaultConfig(string Address, string? CaPem, string Token)
{
    public const string Namespace = VaultKeysSecret.Namespace;
    public const string Name = "vault-external";
    public const string Key = Namespace + "/" + Name;

    public VaultClient CreateClient() => new(new VaultClientOptions { Address = Address, CaPem = CaPem, Token = Token, Timeout = TimeSpan.FromSeconds(20) });

    public override string ToString() => $"ExternalVaultConfig {{ Address = {Address} }}"; // keeps the token out of logs and exceptions

    /// <summary>The configuration in a Secret object; null when it is not a complete one.</summary>
    public static ExternalVaultConfig? FromSecret(JsonObject? secret)
    {
        string? Field(string key) => secret?["data"]?[key]?.GetValue<string>() is { Length: > 0 } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null;
        return Field("address") is { } address && Field("token") is { } token ? new ExternalVaultConfig(address, Field("ca.crt"), token) : null;
    }

    public static async Task<ExternalVaultConfig?> ReadAsync(IKubeClient hub, CancellationToken ct) =>
        FromSecret(await hub.GetAsync(ResourceRef.Secrets, Namespace, Name, ct));

    public async Task WriteAsync(IKubeClient hub, string fieldManager, CancellationToken ct)
    {
        await hub.ApplyAsync(ResourceRef.Namespaces, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = Namespace },
        }, new ApplyOptions(fieldManager), ct);
        var data = new JsonObject { ["address"] = B64(Address), ["token"] = B64(Token) };
        if (CaPem is not null)
        {
            data["ca.crt"] = B64(CaPem);
        }
        await hub.ApplyAsync(ResourceRef.Secrets, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace },
            ["type"] = "Opaque",
            ["data"] = data,
        }, new ApplyOptions(fieldManager) { Force = true }, ct);
    }

    public static Task DeleteAsync(IKubeClient hub, CancellationToken ct) => hub.DeleteAsync(ResourceRef.Secrets, Namespace, Name, null, ct);

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
