using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.Hub;

/// <summary>
/// The hub's "spoke init" loop over ManagedClusters (what the validated patterns' vault_spokes_init playbook does):
/// for every accepted cluster that advertises its API in <c>spec.managedClusterClientConfigs</c>, a Kubernetes auth
/// mount named after it (reviewing JWTs against that API, with no reviewer JWT: the login JWT reviews itself),
/// the policy <c>&lt;cluster&gt;-secret</c> and the role <c>&lt;cluster&gt;-role</c> bound to the ESO service account;
/// then a ManifestWork that gives the cluster the <c>vault-backend</c> ClusterSecretStore. Pull model: the hub only
/// learns the cluster's URL and CA, never a credential. Idle while <paramref name="externalMode"/> says the hub uses an
/// external Vault (<see cref="ExternalVaultTokens"/> owns the work then).
/// </summary>
public sealed class SpokeVaultInit(IKubeClient hub, Informer clusters, VaultClient vault, string vaultUrl, string vaultCaPem, ILogger<SpokeVaultInit> logger,
    Func<bool>? externalMode = null) : IReconciler
{
    public static readonly ResourceRef ManagedClusters = new("cluster.open-cluster-management.io", "v1", "managedclusters", "ManagedCluster", false);
    public static readonly ResourceRef ManifestWorks = new("work.open-cluster-management.io", "v1", "manifestworks", "ManifestWork", true);
    public const string WorkName = "mcg-vault-backend";

    // The API endpoint each cluster was last set up with: heartbeats update ManagedClusters all the time, and only a
    // new or changed endpoint needs Vault writes (a restarted hub starts empty and sets everything up once more).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _configured = new(StringComparer.Ordinal);

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var cluster = clusters.GetByKey(key);
        if (externalMode?.Invoke() == true)
        {
            _configured.TryRemove(key, out _);
            return ReconcileResult.Done;
        }
        if (cluster is null || cluster.Metadata()["deletionTimestamp"] is not null || cluster["spec"]?["hubAcceptsClient"]?.GetValue<bool>() != true)
        {
            // Its mount, role and policy stay (like the secrets under secret/<cluster>); a rejoin sets it up again.
            _configured.TryRemove(key, out _);
            return ReconcileResult.Done;
        }
        var name = cluster.Name()!;
        if (VaultLayout.ReservedMounts.Contains(name))
        {
            logger.LogWarning("managed cluster {Cluster}: its name is a reserved Vault path; it gets no Vault auth mount", name);
            return ReconcileResult.Done;
        }
        var config = (cluster["spec"]?["managedClusterClientConfigs"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("url") is { Length: > 0 });
        if (config is null)
        {
            logger.LogInformation("managed cluster {Cluster} advertises no API URL yet (spec.managedClusterClientConfigs)", name);
            return ReconcileResult.Done;
        }
        var ca = config.GetString("caBundle") is { Length: > 0 } bundle ? Encoding.UTF8.GetString(Convert.FromBase64String(bundle)) : "";
        var endpoint = config.GetString("url") + "\n" + ca;
        if (_configured.TryGetValue(name, out var done) && done == endpoint)
        {
            return ReconcileResult.Done;
        }
        try
        {
            await EnsureMountAsync(vault, name, config.GetString("url")!, ca, ct);
        }
        catch (Exception e) when (e is VaultApiException or HttpRequestException)
        {
            logger.LogWarning("spoke init of {Cluster} in Vault failed: {Message}", name, ExternalSecretReconciler.Flatten(e));
            return ReconcileResult.After(TimeSpan.FromSeconds(5));
        }
        await hub.ApplyAsync(ManifestWorks, new JsonObject
        {
            ["apiVersion"] = ManifestWorks.ApiVersion,
            ["kind"] = ManifestWorks.Kind,
            ["metadata"] = new JsonObject { ["name"] = WorkName, ["namespace"] = name },
            ["spec"] = new JsonObject
            {
                ["workload"] = new JsonObject { ["manifests"] = new JsonArray(VaultBackendStore.Objects(vaultUrl, vaultCaPem, name).Select(o => (JsonNode)o).ToArray()) },
            },
        }, new ApplyOptions("mcg-spoke-vault-init") { Force = true }, ct);
        _configured[name] = endpoint;
        logger.LogInformation("spoke init of {Cluster}: Vault auth mount {Mount}, role {Role}, policy {Policy}", name, name, VaultLayout.Role(name), VaultLayout.Policy(name));
        return ReconcileResult.Done;
    }

    /// <summary>Creates or updates a Kubernetes auth mount, its <c>&lt;mount&gt;-secret</c> policy and <c>&lt;mount&gt;-role</c> role.</summary>
    public static async Task EnsureMountAsync(VaultClient vault, string mount, string kubernetesHost, string caPem, CancellationToken ct)
    {
        if (!(await vault.ListAuthAsync(ct)).ContainsKey(mount + "/"))
        {
            await vault.EnableAuthAsync(mount, "kubernetes", ct);
        }
        await vault.ConfigureKubernetesAuthAsync(mount, kubernetesHost, caPem, null, ct);
        await vault.WritePolicyAsync(VaultLayout.Policy(mount), VaultLayout.PolicyHcl(mount), ct);
        await vault.WriteKubernetesRoleAsync(mount, VaultLayout.Role(mount), new KubernetesRoleSpec
        {
            BoundServiceAccountNames = [EsoServiceAccount.Name],
            BoundServiceAccountNamespaces = [EsoServiceAccount.Namespace],
            Policies = [VaultLayout.Policy(mount)],
            Ttl = VaultLayout.RoleTokenTtl,
        }, ct);
    }
}
