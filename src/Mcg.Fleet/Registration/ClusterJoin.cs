using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Registration;

/// <summary>
/// <c>mcg cluster join</c>: a bootstrap credential for one cluster name, valid for a limited time and revocable
/// (deleting its ServiceAccount invalidates it), as <c>clusteradm get token</c> gives.
/// </summary>
public static class ClusterJoin
{
    public const string FieldManager = "mcg-registration";

    /// <summary>Creates the bootstrap identity for <paramref name="cluster"/> and returns a token for it.</summary>
    public static async Task<string> IssueBootstrapTokenAsync(IKubeClient hub, string cluster, TimeSpan validity, CancellationToken ct)
    {
        await EnsureNamespaceAsync(hub, FleetRbac.BootstrapNamespace, ct);
        var sa = FleetRbac.BootstrapServiceAccount(cluster);
        await hub.ApplyAsync(new ResourceRef("", "v1", "serviceaccounts", "ServiceAccount", true), FleetRbac.ServiceAccount(FleetRbac.BootstrapNamespace, sa), new ApplyOptions(FieldManager) { Force = true }, ct);
        foreach (var obj in FleetRbac.Bootstrap(cluster))
        {
            await hub.ApplyAsync(obj, new ApplyOptions(FieldManager) { Force = true }, ct);
        }
        return await RequestTokenAsync(hub, FleetRbac.BootstrapNamespace, sa, validity, ct);
    }

    /// <summary>Revokes a cluster's bootstrap credential.</summary>
    public static Task RevokeBootstrapAsync(IKubeClient hub, string cluster, CancellationToken ct) =>
        hub.DeleteAsync(new ResourceRef("", "v1", "serviceaccounts", "ServiceAccount", true), FleetRbac.BootstrapNamespace, FleetRbac.BootstrapServiceAccount(cluster), null, ct);

    /// <summary>A ServiceAccount token through the TokenRequest API (POST …/serviceaccounts/NAME/token).</summary>
    public static async Task<string> RequestTokenAsync(IKubeClient hub, string ns, string serviceAccount, TimeSpan validity, CancellationToken ct)
    {
        var serviceAccounts = new ResourceRef("", "v1", "serviceaccounts", "ServiceAccount", true);
        var result = await hub.CreateAsync(serviceAccounts, new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenRequest",
            ["metadata"] = new JsonObject { ["name"] = serviceAccount, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["expirationSeconds"] = (long)validity.TotalSeconds },
        }, new WriteOptions { Subresource = "token" }, ct);
        return result["status"]?["token"]?.GetValue<string>() ?? throw new InvalidOperationException("the hub issued no token");
    }

    /// <summary>The hub's kubeconfig with every user's credential replaced by the bootstrap token.</summary>
    public static string BootstrapKubeconfig(string hubKubeconfigYaml, string hubKubeconfigPath, string token)
    {
        var config = YamlJson.Parse(hubKubeconfigYaml, hubKubeconfigPath) as JsonObject
            ?? throw new InvalidDataException($"{hubKubeconfigPath}: not a kubeconfig");
        foreach (var user in (config["users"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            user["user"] = new JsonObject { ["token"] = token };
        }
        return YamlJson.ToYaml(config);
    }

    public static async Task EnsureNamespaceAsync(IKubeClient client, string ns, CancellationToken ct)
    {
        if (await client.GetAsync(ResourceRef.Namespaces, null, ns, ct) is null)
        {
            await client.ApplyAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } },
                new ApplyOptions(FieldManager), ct);
        }
    }
}
