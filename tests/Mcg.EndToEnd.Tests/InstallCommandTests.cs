using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Secrets.Vault;

namespace Mcg.EndToEnd.Tests;

/// <summary>
/// <c>mcg install</c> against a cluster standing in for a real one (a virtual cluster), with <c>mcg hub --kubeconfig</c>
/// running the controllers and the secret store on it, as the patterns operator does on OpenShift.
/// </summary>
public sealed class InstallCommandTests : IAsyncLifetime
{
    private const string DefaultClass = """
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          name: standard
          annotations: {storageclass.kubernetes.io/is-default-class: "true"}
        provisioner: kubernetes.io/no-provisioner
        """;

    private readonly GitRepo _repo = new();
    private readonly string _hubData = Directory.CreateTempSubdirectory("mcg-install-hub-").FullName;
    private readonly StringBuilder _hubLog = new();
    private ServerProcess _cluster = null!;
    private Process? _hub;

    private Kubectl Kubectl => new(_cluster.KubeconfigPath);

    public async Task InitializeAsync()
    {
        _cluster = await ServerProcess.StartAsync();
        _repo.Write("values-global.yaml", "global:\n  pattern: mini\nmain:\n  clusterGroupName: hub\n");
        _repo.Write("values-hub.yaml", """
            clusterGroup:
              name: hub
              isHubCluster: true
              namespaces: [demo]
              projects: [hub]
              applications:
                demo:
                  name: demo
                  namespace: demo
                  project: hub
                  path: apps/demo
            """);
        _repo.Write("apps/demo/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {greeting: hi}\n");
        _repo.Write("values-secret.yaml.template", """
            version: "2.0"
            secrets:
              - name: config-demo
                vaultPrefixes: [global]
                fields:
                  - name: secret
                    value: from-the-values-file
            """);
        _repo.Commit("mini pattern");
    }

    [Fact]
    public async Task Install_validates_bootstraps_the_secret_store_loads_secrets_and_waits_for_green_then_uninstall_removes_it()
    {
        var noClass = await InstallAsync();
        Assert.Equal(1, noClass.ExitCode);
        Assert.Contains("no default StorageClass", noClass.Err);
        (await Kubectl.RunAsync("apply -f -", DefaultClass)).Ok();

        var badRepo = await McgCli.RunAsync(_cluster.KubeconfigPath, TimeSpan.FromMinutes(2), "install", "--kubeconfig", _cluster.KubeconfigPath,
            "--repo", _repo.Url, "--revision", "no-such-branch", "--timeout-seconds", "60");
        Assert.Equal(1, badRepo.ExitCode);
        Assert.Contains("is not readable at no-such-branch", badRepo.Err);

        StartHub();
        var install = await InstallAsync();
        Assert.True(install.ExitCode == 0, install.Out + install.Err + _hubLog);
        Assert.Contains("initialised (5 key shares, threshold 3)", install.Out);
        Assert.Contains("installed: 1 applications Synced and Healthy", install.Out);
        Assert.Contains("hi", (await Kubectl.RunAsync("-n demo get configmap hello -o jsonpath={.data.greeting}")).Ok().Out);

        // The keys are where the patterns keep them, and they open the store: the loaded secret is there.
        var keys = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(
            (await Kubectl.RunAsync("-n imperative get secret vaultkeys -o jsonpath={.data.vault_data_json}")).Ok().Out)))!;
        using (var vault = await VaultAsync(keys["root_token"]!.GetValue<string>()))
        {
            var secret = await vault.KvReadAsync("secret", "global/config-demo");
            Assert.Equal("from-the-values-file", secret!.Data!["secret"]!.GetValue<string>());
        }

        // A restarted hub unseals its store from imperative/vaultkeys, as the unseal cron job does.
        await StopHubAsync();
        StartHub();
        await Eventually(async () =>
        {
            try
            {
                // The new hub's Vault has a new port; until it republishes, the old address refuses connections.
                using var vault = await VaultAsync(keys["root_token"]!.GetValue<string>());
                return !(await vault.SealStatusAsync()).Sealed;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the restarted hub did not unseal its Vault");

        // Installing again is idempotent: same keys, the secret unchanged.
        var again = await InstallAsync();
        Assert.True(again.ExitCode == 0, again.Out + again.Err);
        Assert.Contains("secret secret/global/config-demo: unchanged", again.Out);

        var uninstall = await McgCli.RunAsync(_cluster.KubeconfigPath, TimeSpan.FromMinutes(3), "uninstall", "--kubeconfig", _cluster.KubeconfigPath);
        Assert.True(uninstall.ExitCode == 0, uninstall.Out + uninstall.Err);
        Assert.Contains("Applications of mini removed", uninstall.Out);
        Assert.Contains("No resources found", (await Kubectl.RunAsync("get applications -A")).Out + (await Kubectl.RunAsync("get applications -A")).Err);
    }

    [Fact]
    public async Task Install_names_the_field_of_an_invalid_values_global_and_changes_nothing()
    {
        (await Kubectl.RunAsync("apply -f -", DefaultClass)).Ok();
        _repo.Write("values-global.yaml", "global:\n  pattern: mini\n");
        _repo.Commit("no cluster group");
        var result = await InstallAsync();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("values-global.yaml", result.Err);
        Assert.Contains("clusterGroupName", result.Err);
        Assert.NotEqual(0, (await Kubectl.RunAsync("-n openshift-operators get patterns.gitops.hybrid-cloud-patterns.io mini")).ExitCode);
    }

    private Task<McgCli.Result> InstallAsync() =>
        McgCli.RunAsync(_cluster.KubeconfigPath, TimeSpan.FromMinutes(5), "install", "--kubeconfig", _cluster.KubeconfigPath, "--repo", _repo.Url,
            "--values-secret", Path.Combine(_repo.Path, "values-secret.yaml.template"), "--timeout-seconds", "180");

    private void StartHub()
    {
        _hub = McgCli.Start(_cluster.KubeconfigPath, "hub", "--kubeconfig", _cluster.KubeconfigPath, "--data", _hubData, "--vault-keys", "secret");
        _hub.OutputDataReceived += (_, e) => { lock (_hubLog) { _hubLog.AppendLine(e.Data); } };
        _hub.ErrorDataReceived += (_, e) => { lock (_hubLog) { _hubLog.AppendLine(e.Data); } };
        _hub.BeginOutputReadLine();
        _hub.BeginErrorReadLine();
    }

    private async Task StopHubAsync()
    {
        if (_hub is { HasExited: false })
        {
            _hub.Kill(true);
            await _hub.WaitForExitAsync();
        }
        _hub?.Dispose();
        _hub = null;
    }

    private async Task<VaultClient> VaultAsync(string token)
    {
        string? address = null;
        await Eventually(async () =>
        {
            var store = await Kubectl.RunAsync("get clustersecretstore vault-backend -o jsonpath={.spec.provider.vault.server}");
            address = store.ExitCode == 0 && store.Out.StartsWith("https://", StringComparison.Ordinal) ? store.Out.Trim() : null;
            return address is not null && File.Exists(Path.Combine(_hubData, "vault-addr")) && (await File.ReadAllTextAsync(Path.Combine(_hubData, "vault-addr"))).Trim() == address;
        }, "the hub did not publish its Vault");
        return new VaultClient(new VaultClientOptions { Address = address!, Token = token, CaPem = await File.ReadAllTextAsync(Path.Combine(_hubData, "vault-ca.crt")) });
    }

    private async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure + "\n" + _hubLog);
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        await StopHubAsync();
        await _cluster.DisposeAsync();
        _repo.Dispose();
        try
        {
            Directory.Delete(_hubData, true);
        }
        catch (IOException)
        {
        }
    }
}
