using System.Text;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Registration;

public sealed class RegistrationOptions
{
    /// <summary>Accept every cluster that registers (OCM's auto-approval); otherwise an admin sets hubAcceptsClient.</summary>
    public bool AutoAccept { get; set; } = true;

    public TimeSpan CredentialValidity { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>
/// The hub's registration controller: for an accepted ManagedCluster, its namespace, its agent's identity and
/// namespace-bound permissions and credential, the acceptance condition, and labels from well-known claims.
/// </summary>
public sealed class RegistrationController(IKubeClient hub, Informer clusters, RegistrationOptions options, EventRecorder events, ILogger<RegistrationController> logger, TimeProvider? clock = null) : IReconciler
{
    /// <summary>The component the registration controllers report their Events as (on ManagedClusters, in <c>default</c>).</summary>
    public const string EventComponent = "registration-controller";
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var cluster = clusters.GetByKey(key);
        if (cluster is null || cluster.Metadata()["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done;
        }
        var name = cluster.Name()!;
        if (cluster["spec"]?["hubAcceptsClient"]?.GetValue<bool>() != true)
        {
            if (options.AutoAccept)
            {
                await hub.PatchAsync(OcmCrds.ManagedClusters, null, name, PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["hubAcceptsClient"] = true } }, null, ct);
            }
            return ReconcileResult.Done;
        }
        await ClusterJoin.EnsureNamespaceAsync(hub, name, ct);
        var serviceAccounts = new ResourceRef("", "v1", "serviceaccounts", "ServiceAccount", true);
        await hub.ApplyAsync(serviceAccounts, FleetRbac.ServiceAccount(name, FleetRbac.AgentServiceAccount), new ApplyOptions(ClusterJoin.FieldManager) { Force = true }, ct);
        foreach (var obj in FleetRbac.Agent(name))
        {
            await hub.ApplyAsync(obj, new ApplyOptions(ClusterJoin.FieldManager) { Force = true }, ct);
        }
        if (await hub.GetAsync(ResourceRef.Secrets, name, FleetRbac.CredentialSecret, ct) is null)
        {
            var token = await ClusterJoin.RequestTokenAsync(hub, name, FleetRbac.AgentServiceAccount, options.CredentialValidity, ct);
            await hub.CreateAsync(ResourceRef.Secrets, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject { ["name"] = FleetRbac.CredentialSecret, ["namespace"] = name },
                ["type"] = "Opaque",
                ["data"] = new JsonObject
                {
                    ["token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(token)),
                    ["cluster-name"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(name)),
                },
            }, null, ct);
            logger.LogInformation("accepted managed cluster {Cluster}", name);
        }
        var status = cluster["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        if (Conditions.Set(status, "HubAcceptedManagedCluster", "True", "HubClusterAdminAccepted", "Accepted by hub cluster admin", _clock.GetUtcNow()))
        {
            await hub.PatchAsync(OcmCrds.ManagedClusters, null, name, PatchType.Merge, new JsonObject { ["status"] = new JsonObject { ["conditions"] = status["conditions"]!.DeepClone() } },
                new PatchOptions { Subresource = "status" }, ct);
            await events.NormalAsync(cluster, EventComponent, "HubClusterAdminAccepted", $"Managed cluster {name} accepted by hub cluster admin", ct);
        }
        await LabelFromClaimsAsync(cluster, ct);
        return ReconcileResult.Done;
    }

    /// <summary>As ACM: the <c>name</c> label, and <c>cloud</c>/<c>vendor</c> from the platform/product claims when not set by the admin.</summary>
    private async Task LabelFromClaimsAsync(JsonObject cluster, CancellationToken ct)
    {
        var labels = cluster.Labels();
        var claims = (cluster["status"]?["clusterClaims"] as JsonArray)?.OfType<JsonObject>()
            .ToDictionary(c => c.GetString("name") ?? "", c => c.GetString("value") ?? "") ?? [];
        var wanted = new JsonObject();
        if (!labels.ContainsKey("name"))
        {
            wanted["name"] = cluster.Name();
        }
        if (!labels.ContainsKey("cloud") && claims.TryGetValue("platform.open-cluster-management.io", out var platform) && platform.Length > 0)
        {
            wanted["cloud"] = platform;
        }
        if (!labels.ContainsKey("vendor") && claims.TryGetValue("product.open-cluster-management.io", out var product) && product.Length > 0)
        {
            wanted["vendor"] = product;
        }
        if (wanted.Count > 0)
        {
            await hub.PatchAsync(OcmCrds.ManagedClusters, null, cluster.Name()!, PatchType.Merge, new JsonObject { ["metadata"] = new JsonObject { ["labels"] = wanted } }, null, ct);
        }
    }
}
