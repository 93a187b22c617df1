using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// The service account ClusterSecretStores log in to Vault with (the validated patterns' <c>golang-external-secrets</c>),
/// allowed to create TokenReviews (<c>system:auth-delegator</c>): Vault's Kubernetes auth has no reviewer JWT of its
/// own, so the login JWT reviews itself and the hub never holds a credential of the managed cluster.
/// </summary>
public static class EsoServiceAccount
{
    public const string Namespace = "golang-external-secrets";
    public const string Name = "golang-external-secrets";
    public const string AuthDelegator = "system:auth-delegator";
    private const string FieldManager = "mcg-external-secrets";

    public static async Task EnsureAsync(IKubeClient cluster, CancellationToken ct)
    {
        var apply = new ApplyOptions(FieldManager) { Force = true };
        await cluster.ApplyAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } }, apply, ct);
        await cluster.ApplyAsync(ResourceRef.ServiceAccounts, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace },
        }, apply, ct);
        var clusterRoles = new ResourceRef("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false);
        // Real clusters ship system:auth-delegator; a bare embedded server does not.
        if (await cluster.GetAsync(clusterRoles, null, AuthDelegator, ct) is null)
        {
            await cluster.ApplyAsync(clusterRoles, new JsonObject
            {
                ["apiVersion"] = "rbac.authorization.k8s.io/v1",
                ["kind"] = "ClusterRole",
                ["metadata"] = new JsonObject { ["name"] = AuthDelegator },
                ["rules"] = new JsonArray(
                    new JsonObject { ["apiGroups"] = new JsonArray("authentication.k8s.io"), ["resources"] = new JsonArray("tokenreviews"), ["verbs"] = new JsonArray("create") },
                    new JsonObject { ["apiGroups"] = new JsonArray("authorization.k8s.io"), ["resources"] = new JsonArray("subjectaccessreviews"), ["verbs"] = new JsonArray("create") }),
            }, apply, ct);
        }
        await cluster.ApplyAsync(new ResourceRef("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false), new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "ClusterRoleBinding",
            ["metadata"] = new JsonObject { ["name"] = $"{Name}-auth-delegator" },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = AuthDelegator },
            ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = Name, ["namespace"] = Namespace }),
        }, apply, ct);
    }
}
