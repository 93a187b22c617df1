using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>
/// The external-Vault token loop against an embedded API server and a Vault server (both over HTTPS, in this
/// process): issue, reuse across a hub restart, replace a token an admin revoked, revoke on cluster deletion, and
/// stay idle outside external mode.
/// </summary>
public sealed class ExternalVaultTokensTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcg-extvault-").FullName;
    private readonly Dictionary<string, JsonObject> _clusters = [];
    private EmbeddedApiServer _api = null!;
    private VaultServer _vault = null!;
    private VaultClient _rootClient = null!;
    private IKubeClient _kube = null!;
    private ExternalVaultConfig _config = null!;

    public async Task InitializeAsync()
    {
        _api = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = Path.Combine(_root, "api") });
        _kube = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(_api.KubeconfigPath));
        await OcmCrds.InstallAsync(_kube, OcmCrds.Hub, CancellationToken.None);
        await Mcg.Secrets.ExternalSecrets.EsoCrds.InstallAsync(_kube, CancellationToken.None);
        _vault = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = Path.Combine(_root, "vault"), AuditLog = false });
        _rootClient = _vault.CreateClient();
        var init = await _rootClient.EnsureInitializedAndUnsealedAsync(null, 1, 1);
        _rootClient.Token = init!.RootToken;
        _config = new ExternalVaultConfig(_vault.Url, _vault.CaPem, init.RootToken);
    }

    [Fact]
    public async Task IssuesReusesReplacesAndRevokesPerClusterTokens()
    {
        await AddClusterAsync("spoke-1", accepted: true);
        await AddClusterAsync("spoke-2", accepted: false);
        await AddClusterAsync("global", accepted: true); // a reserved Vault path

        using (var idle = Tokens(() => null))
        {
            await idle.ReconcileAsync("spoke-1", CancellationToken.None);
            Assert.Null(await WorkAsync("spoke-1"));
        }

        string accessor;
        using (var tokens = Tokens(() => _config))
        {
            var result = await tokens.ReconcileAsync("spoke-1", CancellationToken.None);
            Assert.Equal(TimeSpan.FromHours(8), result.RequeueAfter);
            var work = (await WorkAsync("spoke-1"))!;
            accessor = work.Annotations()[ExternalVaultTokens.AccessorAnnotation];
            var manifests = work["spec"]!["workload"]!["manifests"]!.AsArray().OfType<JsonObject>().ToList();
            var store = manifests.Single(m => m.Kind() == "ClusterSecretStore");
            Assert.Equal(_vault.Url, store["spec"]!["provider"]!["vault"]!["server"]!.GetValue<string>());
            Assert.Equal("""{"name":"vault-token","namespace":"golang-external-secrets","key":"token"}""",
                store["spec"]!["provider"]!["vault"]!["auth"]!["tokenSecretRef"]!.ToJsonString());
            Assert.NotNull(manifests.SingleOrDefault(m => m.Kind() == "ConfigMap" && m.Name() == VaultBackendStore.CaConfigMap));
            var token = TokenIn(manifests);
            using (var scoped = _vault.CreateClient(token))
            {
                var self = await scoped.LookupSelfAsync();
                Assert.Equal(["default", "spoke-1-secret"], self["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
                Assert.True(self["orphan"]!.GetValue<bool>());
                Assert.Equal(86400, self["period"]!.GetValue<long>());
                await _rootClient.KvWriteAsync("secret", "spoke-2/x", new JsonObject { ["v"] = "2" });
                Assert.Equal(403, (await Assert.ThrowsAsync<VaultApiException>(() => scoped.KvReadAsync("secret", "spoke-2/x"))).StatusCode);
            }
            Assert.Contains(ExternalVaultTokens.Finalizer, (await ClusterAsync("spoke-1")).Finalizers());

            // Not accepted, or a reserved name: nothing.
            await tokens.ReconcileAsync("spoke-2", CancellationToken.None);
            await tokens.ReconcileAsync("global", CancellationToken.None);
            Assert.Null(await WorkAsync("spoke-2"));
            Assert.Null(await WorkAsync("global"));

            // The hub: applied directly, the accessor on the token Secret.
            await tokens.ReconcileAsync(ExternalVaultTokens.HubKey, CancellationToken.None);
            var hubSecret = (await _kube.GetAsync(ResourceRef.Secrets, "golang-external-secrets", "vault-token"))!;
            using var hubScoped = _vault.CreateClient(Encoding.UTF8.GetString(Convert.FromBase64String(hubSecret["data"]!["token"]!.GetValue<string>())));
            Assert.Contains("hub-secret", (await hubScoped.LookupSelfAsync())["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
        }

        // A restarted hub checks and renews the token it finds; it does not issue another.
        using (var restarted = Tokens(() => _config))
        {
            await restarted.ReconcileAsync("spoke-1", CancellationToken.None);
            Assert.Equal(accessor, (await WorkAsync("spoke-1"))!.Annotations()[ExternalVaultTokens.AccessorAnnotation]);
        }

        // A token an admin revoked (or that expired while the hub was away) is replaced.
        await _rootClient.RevokeAccessorAsync(accessor);
        string replaced;
        using (var again = Tokens(() => _config))
        {
            await again.ReconcileAsync("spoke-1", CancellationToken.None);
            replaced = (await WorkAsync("spoke-1"))!.Annotations()[ExternalVaultTokens.AccessorAnnotation];
            Assert.NotEqual(accessor, replaced);
            Assert.Equal("spoke-1", (await _rootClient.LookupAccessorAsync(replaced))["meta"]!["cluster"]!.GetValue<string>());

            // Deleting the cluster: the finalizer holds it until the token is revoked and the work gone.
            await _kube.DeleteAsync(OcmCrds.ManagedClusters, null, "spoke-1");
            _clusters["spoke-1"] = await ClusterAsync("spoke-1");
            Assert.NotNull(_clusters["spoke-1"].Metadata()["deletionTimestamp"]);
            await again.ReconcileAsync("spoke-1", CancellationToken.None);
        }
        Assert.Null(await WorkAsync("spoke-1"));
        Assert.Equal(400, (await Assert.ThrowsAsync<VaultApiException>(() => _rootClient.LookupAccessorAsync(replaced))).StatusCode);
        Assert.Null(await _kube.GetAsync(OcmCrds.ManagedClusters, null, "spoke-1"));

        // Out of external mode (the configuration removed by hand), a deleted cluster is not held by the finalizer.
        await AddClusterAsync("spoke-3", accepted: true);
        using (var tokens = Tokens(() => _config))
        {
            await tokens.ReconcileAsync("spoke-3", CancellationToken.None);
        }
        await _kube.DeleteAsync(OcmCrds.ManagedClusters, null, "spoke-3");
        _clusters["spoke-3"] = await ClusterAsync("spoke-3");
        using (var idle = Tokens(() => null))
        {
            await idle.ReconcileAsync("spoke-3", CancellationToken.None);
        }
        Assert.Null(await _kube.GetAsync(OcmCrds.ManagedClusters, null, "spoke-3"));
    }

    [Fact]
    public async Task ConfigKeepsTheTokenOutOfItsTextAndRoundTripsThroughItsSecret()
    {
        Assert.DoesNotContain(_config.Token, _config.ToString());
        await _config.WriteAsync(_kube, "test", CancellationToken.None);
        Assert.Equal(_config, await ExternalVaultConfig.ReadAsync(_kube, CancellationToken.None));
        await ExternalVaultConfig.DeleteAsync(_kube, CancellationToken.None);
        Assert.Null(await ExternalVaultConfig.ReadAsync(_kube, CancellationToken.None));
    }

    private ExternalVaultTokens Tokens(Func<ExternalVaultConfig?> config) =>
        new(_kube, name => _clusters.GetValueOrDefault(name), config, NullLogger<ExternalVaultTokens>.Instance);

    private async Task AddClusterAsync(string name, bool accepted)
    {
        await _kube.CreateAsync(ResourceRef.Namespaces, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        _clusters[name] = await _kube.CreateAsync(OcmCrds.ManagedClusters, new JsonObject
        {
            ["apiVersion"] = OcmCrds.ManagedClusters.ApiVersion,
            ["kind"] = "ManagedCluster",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["hubAcceptsClient"] = accepted },
        });
    }

    private async Task<JsonObject> ClusterAsync(string name) => (await _kube.GetAsync(OcmCrds.ManagedClusters, null, name))!;

    private Task<JsonObject?> WorkAsync(string ns) => _kube.GetAsync(OcmCrds.ManifestWorks, ns, SpokeVaultInit.WorkName);

    private static string TokenIn(IEnumerable<JsonObject> manifests) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(manifests.Single(m => m.Kind() == "Secret")["data"]!["token"]!.GetValue<string>()));

    public async Task DisposeAsync()
    {
        _rootClient?.Dispose();
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
