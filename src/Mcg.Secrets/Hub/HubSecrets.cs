using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Secrets.Hub;

public sealed class HubSecretsOptions
{
    /// <summary>The hub's data directory: Vault lives in <c>DIR/vault</c>; <c>DIR/vault-addr</c> and <c>DIR/vault-ca.crt</c> are written.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>HTTPS port of the Vault server on 127.0.0.1 (0: any free port).</summary>
    public int VaultPort { get; init; }

    /// <summary>
    /// Where the init answer (unseal keys, root token) is kept; with <see cref="AutoUnseal"/> the first start writes it and
    /// every start unseals from it. Default <c>DIR/vault-init.json</c>.
    /// </summary>
    public string? InitFile { get; init; }

    /// <summary>Initialise on first start and unseal on every start from <see cref="InitFile"/> (local use only).</summary>
    public bool AutoUnseal { get; init; } = true;

    /// <summary>The hub API's URL and CA, for the <c>hub</c> Kubernetes auth mount.</summary>
    public required KubeconfigEndpoint HubApi { get; init; }
}

/// <summary>
/// The secret side of <c>mcg hub</c>: the Vault-compatible server (initialised and unsealed from the init file in
/// auto mode), the validated patterns' layout (kv-v2 <c>secret/</c>, the <c>hub</c> auth mount, role and policy),
/// the hub's own ExternalSecret controller with the <c>vault-backend</c> ClusterSecretStore, and spoke init for every
/// accepted ManagedCluster.
/// </summary>
public sealed class HubSecrets : IAsyncDisposable
{
    private const int Shares = 5;
    private const int Threshold = 3;
    private readonly HubSecretsOptions _options;
    private readonly VaultServer _server;
    private readonly VaultClient _root;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    private HubSecrets(HubSecretsOptions options, VaultServer server, VaultClient root, ILoggerFactory loggers)
    {
        _options = options;
        _server = server;
        _root = root;
        _loggers = loggers;
        _logger = loggers.CreateLogger<HubSecrets>();
    }

    public VaultServer Vault => _server;

    /// <summary>Gives the layout bootstrap the root token when the init answer is kept elsewhere (<see cref="VaultKeysUnsealer"/>).</summary>
    public void UseRootToken(string token) => _root.Token = token;

    public string InitFile => _options.InitFile ?? Path.Combine(_options.DataDirectory, "vault-init.json");

    public static async Task<HubSecrets> StartAsync(HubSecretsOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var dir = Path.GetFullPath(options.DataDirectory);
        var server = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = Path.Combine(dir, "vault"), Port = options.VaultPort }, loggers, ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "vault-addr"), server.Url + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "vault-ca.crt"), server.CaPem, ct);
        var hub = new HubSecrets(options, server, server.CreateClient(), loggers);
        if (options.AutoUnseal)
        {
            await hub.InitAndUnsealAsync(ct);
        }
        return hub;
    }

    /// <summary>
    /// Runs the layout bootstrap (retried until Vault is unsealed), the hub's ExternalSecret controller and spoke init;
    /// or, while Secret <c>imperative/vault-external</c> exists (<c>mcg install --vault-addr</c>), per-cluster tokens of
    /// that external Vault instead of spoke init.
    /// </summary>
    public async Task RunAsync(IKubeClient hub, CancellationToken ct)
    {
        await EsoCrds.InstallAsync(hub, ct);
        await EsoServiceAccount.EnsureAsync(hub, ct);
        if (await ExternalVaultConfig.ReadAsync(hub, ct) is null)
        {
            foreach (var obj in VaultBackendStore.Objects(_server.Url, _server.CaPem, VaultLayout.HubMount))
            {
                await hub.ApplyAsync(obj, new ApplyOptions(ExternalVaultTokens.HubFieldManager) { Force = true }, ct);
            }
        }
        var clusters = new Informer(hub, SpokeVaultInit.ManagedClusters, new InformerOptions(), _loggers.CreateLogger<Informer>());
        var externalConfig = new Informer(hub, ResourceRef.Secrets,
            new InformerOptions { Namespace = ExternalVaultConfig.Namespace, FieldSelector = $"metadata.name={ExternalVaultConfig.Name}" }, _loggers.CreateLogger<Informer>());
        ExternalVaultConfig? External() => ExternalVaultConfig.FromSecret(externalConfig.GetByKey(ExternalVaultConfig.Key));
        IEnumerable<string> AllClusters(JsonObject _) => clusters.List().Select(c => c.Name()!);

        var spokeInit = new KubeController("spoke-vault-init",
            new SpokeVaultInit(hub, clusters, _root, _server.Url, _server.CaPem, _loggers.CreateLogger<SpokeVaultInit>(), () => External() is not null),
            new ControllerOptions(), _loggers.CreateLogger<KubeController>());
        spokeInit.Watch(clusters);
        spokeInit.Watch(externalConfig, AllClusters);
        using var tokens = new ExternalVaultTokens(hub, clusters.GetByKey, External, _loggers.CreateLogger<ExternalVaultTokens>());
        var externalTokens = new KubeController("external-vault-tokens", tokens, new ControllerOptions(), _loggers.CreateLogger<KubeController>());
        externalTokens.Watch(clusters);
        externalTokens.Watch(externalConfig, obj => [ExternalVaultTokens.HubKey, .. AllClusters(obj)]);
        await Task.WhenAll(
            BootstrapLayoutAsync(ct),
            ExternalSecretsController.RunAsync(hub, _loggers, new ExternalSecretsOptions { InstallCrds = false }, ct),
            clusters.RunAsync(ct),
            externalConfig.RunAsync(ct),
            spokeInit.RunAsync(ct),
            externalTokens.RunAsync(ct));
    }

    public async ValueTask DisposeAsync()
    {
        _root.Dispose();
        await _server.DisposeAsync();
    }

    private async Task InitAndUnsealAsync(CancellationToken ct)
    {
        var saved = VaultInitFile.Load(InitFile);
        var status = await _root.SealStatusAsync(ct);
        if (!status.Initialized)
        {
            var init = await _root.EnsureInitializedAndUnsealedAsync(null, Shares, Threshold, ct);
            saved = VaultInitFile.From(init!, Threshold);
            saved.Save(InitFile);
            _logger.LogWarning("Vault initialised; its unseal keys and root token are in {File} (mode 0600) so the hub can unseal itself: for local use only, keep real keys elsewhere", InitFile);
        }
        else if (saved is null)
        {
            _logger.LogError("Vault in {Dir} is initialised but {File} does not exist: unseal it with its keys (sys/unseal)", Path.Combine(_options.DataDirectory, "vault"), InitFile);
            return;
        }
        else
        {
            await _root.EnsureInitializedAndUnsealedAsync(saved.UnsealKeysHex.Take(saved.Threshold).ToList(), ct: ct);
            _logger.LogWarning("Vault unsealed from {File}: for local use only", InitFile);
        }
        _root.Token = saved.RootToken;
    }

    /// <summary>kv-v2 at <c>secret/</c> and the hub's Kubernetes auth mount, role and policy; retried while Vault is sealed.</summary>
    private async Task BootstrapLayoutAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                _root.Token ??= VaultInitFile.Load(InitFile)?.RootToken;
                if (_root.Token is not null)
                {
                    if (!(await _root.ListMountsAsync(ct)).ContainsKey(VaultLayout.KvMount + "/"))
                    {
                        await _root.MountKvV2Async(VaultLayout.KvMount, ct);
                    }
                    await SpokeVaultInit.EnsureMountAsync(_root, VaultLayout.HubMount, _options.HubApi.Server, _options.HubApi.CaPem, ct);
                    _logger.LogInformation("Vault layout ready: kv-v2 at secret/, auth mount hub with role hub-role");
                    return;
                }
            }
            catch (Exception e) when (e is VaultApiException or HttpRequestException)
            {
                _logger.LogWarning("Vault layout not ready yet: {Message}", ExternalSecretReconciler.Flatten(e));
            }
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
        }
    }
}
