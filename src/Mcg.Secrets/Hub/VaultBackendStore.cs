using System.Text.Json.Nodes;
using Mcg.Secrets.ExternalSecrets;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The objects that point a cluster's ExternalSecrets at the hub's Vault, as the validated patterns'
/// golang-external-secrets chart does: the ClusterSecretStore <c>vault-backend</c> (Kubernetes auth at the cluster's
/// own mount and role, the <c>golang-external-secrets</c> service account) and the Vault CA in a ConfigMap.
/// </summary>
public static class VaultBackendStore
{
    public const string StoreName = "vault-backend";
    public const string CaConfigMap = "hub-vault-ca";

    public static IReadOnlyList<JsonObject> Objects(string vaultUrl, string caPem, string mount) =>
    [
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = EsoServiceAccount.Namespace },
        },
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = CaConfigMap, ["namespace"] = EsoServiceAccount.Namespace },
            ["data"] = new JsonObject { ["ca.crt"] = caPem },
        },
        new JsonObject
        {
            ["apiVersion"] = $"{EsoResources.Group}/{EsoResources.Version}",
            ["kind"] = "ClusterSecretStore",
            ["metadata"] = new JsonObject { ["name"] = StoreName },
            ["spec"] = new JsonObject
            {
                ["provider"] = new JsonObject
                {
                    ["vault"] = new JsonObject
                    {
                        ["server"] = vaultUrl,
                        ["path"] = VaultLayout.KvMount,
                        ["version"] = "v2",
                        ["caProvider"] = new JsonObject { ["type"] = "ConfigMap", ["name"] = CaConfigMap, ["key"] = "ca.crt", ["namespace"] = EsoServiceAccount.Namespace },
                        ["auth"] = new JsonObject
                        {
                            ["kubernetes"] = new JsonObject
                            {
                                ["mountPath"] = mount,
                                ["role"] = VaultLayout.Role(mount),
                                ["serviceAccountRef"] = new JsonObject { ["name"] = EsoServiceAccount.Name, ["namespace"] = EsoServiceAccount.Namespace },
                            },
                        },
                    },
                },
            },
        },
    ];
}
