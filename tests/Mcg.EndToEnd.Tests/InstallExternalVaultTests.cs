using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Mcg.Secrets.Tests.Support;
using Mcg.Secrets.Vault;

namespace Mcg.EndToEnd.Tests;

/// <summary>
/// <c>mcg install --vault-addr</c>: the user's own Vault (a separate <c>mcg vault serve</c>), a virtual cluster as the
/// hub with <c>mcg hub --kubeconfig</c> on it, and managed clusters with their agents — one joined before the install,
/// one after. Every cluster must get a token that reads <c>secret/global</c> and its own folder and nothing else.
/// </summary>
public sealed class InstallExternalVaultTests : IAsyncLifetime
{
    private const string Password = "seed-password";

    // What docs/external-secrets.md asks of the management token: no root needed.
    private const string ManagementPolicy = """
        path "sys/mounts" { capabilities = ["read"] }
        path "sys/mounts/secret" { capabilities = ["create", "update"] }
        path "sys/internal/ui/mounts/*" { capabilities = ["read"] }
        path "sys/policies/acl/*" { capabilities = ["create", "update", "read"] }
        path "sys/policies/password/*" { capabilities = ["create", "update", "read"] }
        path "auth/token/create" { capabilities = ["create", "update", "sudo"] }
        path "auth/token/lookup-accessor" { capabilities = ["update"] }
        path "auth/token/renew-accessor" { capabilities = ["update"] }
        path "auth/token/revoke-accessor" { capabilities = ["update"] }
        path "secret/*" { capabilities = ["create", "read", "update", "patch", "list"] }
        """;

    private readonly GitRepo _repo = new();
    private readonly FleetProcesses _fleet = new();
    private McgProcess _vault = null!;
    private ServerProcess _hubCluster = null!;
    private VaultClient _root = null!;
    private string _managementToken = "";

    private string Files => _fleet.Root;
    private string PasswordFile => Path.Combine(Files, "vault-password");
    private string TokenFile => Path.Combine(Files, "vault-token.yml");
    private string CaFile => Path.Combine(_vault.DataDir, "ca.crt");

    public async Task InitializeAsync()
    {
        _vault = await McgProcess.StartAsync("vault", "serve");
        _root = new VaultClient(new VaultClientOptions { Address = _vault.Url, CaPem = await File.ReadAllTextAsync(CaFile) });
        var init = await _root.EnsureInitializedAndUnsealedAsync(null, 1, 1);
        _root.Token = init!.RootToken;
        await _root.WritePolicyAsync("mcg-install", ManagementPolicy);
        _managementToken = (await _root.CreateTokenAsync(new TokenCreateRequest { Policies = ["mcg-install"], Ttl = "2h" })).ClientToken;
        await _root.KvWriteAsync("secret", "spoke-b/private", new JsonObject { ["v"] = "only-for-spoke-b" });

        // The token file as the patterns keep secrets: encrypted by the real ansible-vault.
        await File.WriteAllTextAsync(PasswordFile, Password + "\n");
        await File.WriteAllTextAsync(TokenFile, _managementToken + "\n");
        await RunToolAsync("ansible-vault", "encrypt", "--vault-password-file", PasswordFile, TokenFile);
        Assert.StartsWith("$ANSIBLE_VAULT;1.1;AES256", await File.ReadAllTextAsync(TokenFile));

        _repo.Write("values-global.yaml", "global:\n  pattern: mini\nmain:\n  clusterGroupName: hub\n");
        _repo.Write("values-hub.yaml", """
            clusterGroup:
              name: hub
              isHubCluster: true
              namespaces: [demo]
              projects: [hub]
              applications:
                demo: {name: demo, namespace: demo, project: hub, path: apps/demo}
            """);
        _repo.Write("apps/demo/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {greeting: hi}\n");
        _repo.Write("values-secret.yaml", """
            version: "2.0"
            secrets:
              - name: config-demo
                vaultPrefixes: [global]
                fields:
                  - {name: secret, value: from-the-values-file}
            """);
        _repo.Commit("mini pattern");

        // The hub: a cluster standing in for a real one, with mcg hub --kubeconfig on it.
        _hubCluster = await ServerProcess.StartAsync();
        (await new Kubectl(_hubCluster.KubeconfigPath).RunAsync("apply -f -", """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata:
              name: standard
              annotations: {storageclass.kubernetes.io/is-default-class: "true"}
            provisioner: kubernetes.io/no-provisioner
            """)).Ok();
        Directory.CreateDirectory(Path.GetDirectoryName(_fleet.HubKubeconfig)!);
        File.Copy(_hubCluster.KubeconfigPath, _fleet.HubKubeconfig);
        await _fleet.StartHubAsync("--kubeconfig", _fleet.HubKubeconfig, "--vault-keys", "secret");
    }

    [Fact]
    public async Task Every_cluster_gets_a_token_limited_to_its_policy_from_install_or_when_it_joins_and_uninstall_revokes_them()
    {
        await _fleet.AddClusterAsync("spoke-a");
        await Eventually(async () => (await _fleet.Hub.RunAsync("get managedcluster spoke-a -o jsonpath={.spec.hubAcceptsClient}")).Out == "true", "spoke-a was not accepted");

        // Bad inputs: each a clear error naming the option and the file, and nothing installed.
        var wrongPassword = Path.Combine(Files, "wrong-password");
        await File.WriteAllTextAsync(wrongPassword, "not-the-password\n");
        var bad = await InstallAsync(_vault.Url, wrongPassword);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"--vault-token-file {TokenFile}: Decryption failed", bad.Err);
        Assert.Contains("--vault-password-file", bad.Err);

        bad = await InstallAsync("https://127.0.0.1:9", PasswordFile);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--vault-addr https://127.0.0.1:9: Vault is not reachable", bad.Err);

        await using (var sealedVault = await McgProcess.StartAsync("vault", "serve"))
        {
            using var client = new VaultClient(new VaultClientOptions { Address = sealedVault.Url, CaPem = await File.ReadAllTextAsync(Path.Combine(sealedVault.DataDir, "ca.crt")) });
            await client.InitAsync(1, 1); // initialised, still sealed
            bad = await McgCli.RunAsync(_fleet.HubKubeconfig, TimeSpan.FromMinutes(3), "install", "--kubeconfig", _fleet.HubKubeconfig, "--repo", _repo.Url,
                "--vault-addr", sealedVault.Url, "--vault-token-file", TokenFile, "--vault-password-file", PasswordFile,
                "--vault-ca-file", Path.Combine(sealedVault.DataDir, "ca.crt"), "--values-secret", Path.Combine(_repo.Path, "values-secret.yaml"), "--timeout-seconds", "60");
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains($"--vault-addr {sealedVault.Url}: that Vault is sealed", bad.Err);
        }
        Assert.NotEqual(0, (await _fleet.Hub.RunAsync("-n openshift-operators get patterns.gitops.hybrid-cloud-patterns.io mini")).ExitCode);

        // The install: the external Vault gets the layout and the secrets; the hub and spoke-a their tokens.
        var install = await InstallAsync(_vault.Url, PasswordFile);
        Assert.True(install.ExitCode == 0, install.Out + install.Err + _fleet.Log);
        Assert.Contains("(external): initialised, unsealed", install.Out);
        Assert.Contains("secret secret/global/config-demo: created", install.Out);
        Assert.Contains("vault tokens: hub and spoke-a", install.Out);
        Assert.Contains("installed: 1 applications Synced and Healthy", install.Out);
        Assert.DoesNotContain("initialised (5 key shares", install.Out);
        Assert.Equal("from-the-values-file", (await _root.KvReadAsync("secret", "global/config-demo"))!.Data!["secret"]!.GetValue<string>());

        var spokeA = await ClusterTokenAsync("spoke-a");
        await AssertStoreReadsGlobalAsync(new Kubectl(_fleet.Clusters["spoke-a"].KubeconfigPath));
        using (var a = Client(spokeA))
        {
            Assert.Equal("from-the-values-file", (await a.KvReadAsync("secret", "global/config-demo"))!.Data!["secret"]!.GetValue<string>());
            Assert.Equal(403, (await Assert.ThrowsAsync<VaultApiException>(() => a.KvReadAsync("secret", "spoke-b/private"))).StatusCode);
            Assert.Equal(403, (await Assert.ThrowsAsync<VaultApiException>(() => a.KvReadAsync("secret", "hub/anything"))).StatusCode);
            var self = await a.LookupSelfAsync();
            Assert.Equal(["default", "spoke-a-secret"], self["policies"]!.AsArray().Select(p => p!.GetValue<string>()));
            Assert.Equal(86400, self["period"]!.GetValue<long>());
        }

        // The hub's own store now uses its token of the external Vault.
        Assert.Equal(_vault.Url, (await _fleet.Hub.RunAsync("get clustersecretstore vault-backend -o jsonpath={.spec.provider.vault.server}")).Out);
        await Eventually(async () => (await _fleet.Hub.RunAsync("get clustersecretstore vault-backend -o jsonpath={.status.conditions[0].status}")).Out == "True",
            "the hub's ClusterSecretStore did not become Ready");

        // A cluster that joins after the install gets its own token from the hub's controller.
        await _fleet.AddClusterAsync("spoke-b");
        var spokeB = await ClusterTokenAsync("spoke-b");
        Assert.NotEqual(spokeA, spokeB);
        await AssertStoreReadsGlobalAsync(new Kubectl(_fleet.Clusters["spoke-b"].KubeconfigPath));
        using (var b = Client(spokeB))
        {
            Assert.Equal("only-for-spoke-b", (await b.KvReadAsync("secret", "spoke-b/private"))!.Data!["v"]!.GetValue<string>());
        }

        // Deleting a cluster revokes its token (the finalizer waits for that) and removes its store.
        (await _fleet.Hub.RunAsync("delete managedcluster spoke-b --wait=false")).Ok();
        await Eventually(async () => (await _fleet.Hub.RunAsync("get managedcluster spoke-b")).ExitCode != 0, "spoke-b was not deleted");
        await AssertRevokedAsync(spokeB);
        Assert.NotEqual(0, (await _fleet.Hub.RunAsync("-n spoke-b get manifestwork mcg-vault-backend")).ExitCode);

        // No token ever reached an output or a log.
        foreach (var token in new[] { _managementToken, spokeA, spokeB })
        {
            Assert.DoesNotContain(token, install.Out + install.Err + _fleet.Log);
        }

        var uninstall = await McgCli.RunAsync(_fleet.HubKubeconfig, TimeSpan.FromMinutes(3), "uninstall", "--kubeconfig", _fleet.HubKubeconfig);
        Assert.True(uninstall.ExitCode == 0, uninstall.Out + uninstall.Err);
        Assert.Contains("2 cluster tokens revoked", uninstall.Out); // the hub's and spoke-a's
        await AssertRevokedAsync(spokeA);
        Assert.NotEqual(0, (await _fleet.Hub.RunAsync("-n imperative get secret vault-external")).ExitCode);
        Assert.DoesNotContain("mcg.io/vault-token-cleanup", (await _fleet.Hub.RunAsync("get managedcluster spoke-a -o jsonpath={.metadata.finalizers}")).Out);
    }

    private Task<McgCli.Result> InstallAsync(string vaultAddr, string passwordFile) =>
        McgCli.RunAsync(_fleet.HubKubeconfig, TimeSpan.FromMinutes(5), "install", "--kubeconfig", _fleet.HubKubeconfig, "--repo", _repo.Url,
            "--values-secret", Path.Combine(_repo.Path, "values-secret.yaml"), "--timeout-seconds", "180",
            "--vault-addr", vaultAddr, "--vault-token-file", TokenFile, "--vault-password-file", passwordFile, "--vault-ca-file", CaFile);

    /// <summary>Waits for the token Secret the cluster's ClusterSecretStore names, delivered by its agent, and returns the token.</summary>
    private async Task<string> ClusterTokenAsync(string cluster)
    {
        var kubectl = new Kubectl(_fleet.Clusters[cluster].KubeconfigPath);
        string? token = null;
        await Eventually(async () =>
        {
            var store = await kubectl.RunAsync("get clustersecretstore vault-backend -o jsonpath={.spec.provider.vault.auth.tokenSecretRef}");
            if (store.ExitCode != 0 || !store.Out.Contains("\"vault-token\"", StringComparison.Ordinal))
            {
                return false;
            }
            var secret = await kubectl.RunAsync("-n golang-external-secrets get secret vault-token -o jsonpath={.data.token}");
            token = secret.ExitCode == 0 && secret.Out.Length > 0 ? Encoding.UTF8.GetString(Convert.FromBase64String(secret.Out)) : null;
            return token is not null;
        }, $"{cluster} did not receive its Vault token");
        return token!;
    }

    /// <summary>The store becomes Ready and an ExternalSecret on the cluster reads <c>secret/global/config-demo</c> through it.</summary>
    private async Task AssertStoreReadsGlobalAsync(Kubectl kubectl)
    {
        await Eventually(async () => (await kubectl.RunAsync("get clustersecretstore vault-backend -o jsonpath={.status.conditions[0].status}")).Out == "True",
            "the cluster's ClusterSecretStore did not become Ready");
        (await kubectl.RunAsync("apply -f -", """
            apiVersion: external-secrets.io/v1
            kind: ExternalSecret
            metadata: {name: config-demo, namespace: default}
            spec:
              refreshInterval: 10s
              secretStoreRef: {name: vault-backend, kind: ClusterSecretStore}
              target: {name: config-demo}
              data:
                - secretKey: secret
                  remoteRef: {key: secret/data/global/config-demo, property: secret}
            """)).Ok();
        await Eventually(async () =>
        {
            var r = await kubectl.RunAsync("-n default get secret config-demo -o jsonpath={.data.secret}");
            return r.ExitCode == 0 && r.Out.Length > 0 && Encoding.UTF8.GetString(Convert.FromBase64String(r.Out)) == "from-the-values-file";
        }, "the ExternalSecret did not read secret/global/config-demo");
    }

    private async Task AssertRevokedAsync(string token)
    {
        using var client = Client(token);
        await Eventually(async () =>
        {
            try
            {
                await client.LookupSelfAsync();
                return false;
            }
            catch (VaultApiException e) when (e.StatusCode == 403)
            {
                return true;
            }
        }, "the token was not revoked");
    }

    private VaultClient Client(string token) => new(new VaultClientOptions { Address = _vault.Url, CaPem = File.ReadAllText(CaFile), Token = token });

    private async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure + "\n" + _fleet.Log);
            await Task.Delay(300);
        }
    }

    private static async Task RunToolAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{tool} failed: {await err}");
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        if (_hubCluster is not null)
        {
            await _hubCluster.DisposeAsync();
        }
        _root?.Dispose();
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
        _repo.Dispose();
    }
}
