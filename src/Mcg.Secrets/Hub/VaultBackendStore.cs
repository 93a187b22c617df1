using System.Text;
using System.Text.Json.Nodes;
using Mcg.Secrets.ExternalSecrets;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The objects that point a cluster's ExternalSecrets at Vault, as the validated patterns'
/// golang-external-secrets chart does: the ClusterSecretStore <c>vault-backend</c> and the Vault CA in a ConfigMap.
/// With the hub's Vault the store logs in with Kubernetes auth at the cluster's own mount and role (the
/// <c>golang-external-secrets</c> service account); with an external Vault it uses a token of the cluster's own, kept
/// in the Secret that <c>auth.tokenSecretRef</c> names.
/// </summary>
public static class VaultBackendStore
{
    public const string StoreName = "vault-backend";
    public const string CaConfigMap = "hub-vault-ca";
    public const string TokenSecret = "vault-token";
    public const string TokenKey = "token";

    public static IReadOnlyList<JsonObject> Objects(string vaultUrl, string caPem, string mount) =>
    [
        Namespace(),
        CaObject(caPem),
        Store(vaultUrl, caPem, new JsonObject
        {
            ["kubernetes"] = new JsonObject
            {
                ["mountPath"] = mount,
                ["role"] = VaultLayout.Role(mount),
                ["serviceAccountRef"] = new JsonObject { ["name"] = EsoServiceAccount.Name, ["namespace"] = EsoServiceAccount.Namespace },
            },
        }),
    ];

    /// <summary>The store with token auth: <c>tokenSecretRef</c> names <c>golang-external-secrets/vault-token</c>, key <c>token</c>.</summary>
    public static IReadOnlyList<JsonObject> TokenObjects(string vaultUrl, string? caPem, string token)
    {
        var objects = new List<JsonObject> { Namespace() };
        if (caPem is not null)
        {
            objects.Add(CaObject(caPem));
        }
        objects.Add(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = TokenSecret, ["namespace"] = EsoServiceAccount.Namespace },
            ["type"] = "Opaque",
            ["data"] = new JsonObject { [TokenKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(token)) },
        });
        objects.Add(Store(vaultUrl, caPem, new JsonObject
        {
            ["tokenSecretRef"] = new JsonObject { ["name"] = TokenSecret, ["namespace"] = EsoServiceAccount.Namespace, ["key"] = TokenKey },
        }));
        return objects;
    }

    private static JsonObject Namespace() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = EsoServiceAccount.Namespace },
    };

    private static JsonObject CaObject(string caPem) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = CaConfigMap, ["namespace"] = EsoServiceAccount.Namespace },
        ["data"] = new JsonObject { ["ca.crt"] = caPem },
    };

    private static JsonObject Store(string vaultUrl, string? caPem, JsonObject auth)
    {
        var vault = new JsonObject
        {
            ["server"] = vaultUrl,
            ["path"] = VaultLayout.KvMount,
            ["version"] = "v2",
        };
        if (caPem is not null)
        {
            vault["caProvider"] = new JsonObject { ["type"] = "ConfigMap", ["name"] = CaConfigMap, ["key"] = "ca.crt", ["namespace"] = EsoServiceAccount.Namespace };
        }
        vault["auth"] = auth;
        return new JsonObject
        {
            ["apiVersion"] = $"{EsoResources.Group}/{EsoResources.Version}",
            ["kind"] = "ClusterSecretStore",
            ["metadata"] = new JsonObject { ["name"] = StoreName },
            ["spec"] = new JsonObject { ["provider"] = new JsonObject { ["vault"] = vault } },
        };
    }
}
