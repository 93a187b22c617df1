using k8s;
using Mcg.Cli.Bootstrap;
using Mcg.Cli.Up;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Mcg.Patterns.Generation;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Cli.Install;

/// <summary>
/// <c>mcg install</c>, the steps of <c>./pattern.sh make install</c>: validate, create the Pattern, initialise and unseal
/// the secret store (keys in <c>imperative/vaultkeys</c>), load the secrets, and wait until every Application is
/// Synced and Healthy. <c>mcg uninstall</c> removes the Pattern and what it generated.
/// </summary>
public sealed class PatternInstaller(InstallOptions options, Func<string, VaultPassword>? password, TextWriter output)
{
    public async Task<int> InstallAsync(CancellationToken ct)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig);
        using var cluster = new KubernetesClientKubeClient(config);
        var repositories = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = options.CacheDirectory });
        var checks = await Prerequisites.CheckAsync(cluster, config.Host, options, repositories, ct);
        output.WriteLine($"prerequisites: API {config.Host} reachable, default StorageClass present, {options.RepositoryUrl} at {options.Revision} = {checks.Sha[..7]}, " +
            $"pattern {checks.Global.Pattern}, cluster group {checks.Global.ClusterGroupName}");

        // Read the secrets before changing anything, so that a bad file stops the install with nothing half done.
        var secretsFile = options.ValuesSecretFile ?? ValuesSecretLocator.Find(checks.Global.Pattern, checks.Checkout).Path;
        var plan = ValuesSecretLoader.ReadPlan(secretsFile, new ValuesSecretOptions
        {
            PasswordProvider = password is null ? null : () => password($"Input the password for {secretsFile}: "),
        });
        output.WriteLine($"secrets: {plan.Secrets.Count} from {secretsFile}");
        var external = options.VaultAddress is null ? null : new ExternalVault(options, output);
        var externalConfig = external is null ? null : await external.ConnectAsync(password, ct);

        var bootstrap = new PatternBootstrap(output);
        await bootstrap.ApplyPatternAsync(cluster, checks.Global.Pattern, checks.Global.ClusterGroupName, options.RepositoryUrl, options.Revision, ct);

        if (external is not null && externalConfig is not null)
        {
            await external.ConfigureLayoutAsync(externalConfig, ct);
            if (plan.Secrets.Count > 0)
            {
                await bootstrap.LoadSecretsAsync(plan, () => VaultHttpSecretWriter.Create(new Uri(externalConfig.Address), externalConfig.Token, options.VaultCaFile), ct);
            }
            await external.DeliverTokensAsync(cluster, externalConfig, ct);
            return await WaitForApplicationsAsync(cluster, ct);
        }
        var vault = new HubVault(cluster, output);
        var endpoint = await vault.FindAsync(TimeSpan.FromMinutes(2), ct);
        var rootToken = await vault.InitAndUnsealAsync(endpoint, ct);
        if (plan.Secrets.Count > 0)
        {
            var caFile = Path.Combine(options.CacheDirectory, "vault-ca.crt");
            await File.WriteAllTextAsync(caFile, endpoint.CaPem, ct);
            await bootstrap.LoadSecretsAsync(plan, () => VaultHttpSecretWriter.Create(new Uri(endpoint.Address), rootToken, caFile), ct);
        }
        return await WaitForApplicationsAsync(cluster, ct);
    }

    public async Task<int> UninstallAsync(bool deleteVaultKeys, CancellationToken ct)
    {
        using var cluster = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig));
        var patterns = (await cluster.ListAsync(Mcg.Patterns.Controller.PatternCrds.Patterns, PatternBootstrap.PatternNamespace, null, ct)).Items;
        foreach (var p in patterns)
        {
            var name = p["metadata"]!["name"]!.ToString();
            await cluster.DeleteAsync(Mcg.Patterns.Controller.PatternCrds.Patterns, PatternBootstrap.PatternNamespace, name, null, ct);
            output.WriteLine($"Pattern {PatternBootstrap.PatternNamespace}/{name} deleted");
            // The hub's pattern controller prunes what the Pattern generated; wait for the Applications to go.
            var selector = $"{PatternLabels.Owner}={PatternLabels.OwnerValue(PatternBootstrap.PatternNamespace, name)}";
            var deadline = DateTime.UtcNow + options.Timeout;
            while ((await cluster.ListAsync(Mcg.GitOps.Controller.ApplicationController.Applications, null, new ListOptions { LabelSelector = selector }, ct)).Items.Count > 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    output.WriteLine($"uninstall: Applications of {name} are still there after {options.Timeout.TotalSeconds:0} s (is the hub running?)");
                    return 1;
                }
                await Task.Delay(500, ct);
            }
            output.WriteLine($"Applications of {name} removed");
        }
        await ExternalVault.UninstallAsync(cluster, output, ct);
        if (deleteVaultKeys)
        {
            await Mcg.Secrets.Hub.VaultKeysSecret.DeleteAsync(cluster, ct);
            output.WriteLine("Secret imperative/vaultkeys deleted: the secret store cannot be unsealed any more");
        }
        else
        {
            output.WriteLine("Secret imperative/vaultkeys kept (the secret store's data stays readable); --delete-vault-keys removes it");
        }
        return 0;
    }

    private async Task<int> WaitForApplicationsAsync(IKubeClient cluster, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + options.Timeout;
        FleetSnapshot? last = null;
        var green = false;
        await FleetProgress.ForConsole().RunAsync(async report =>
        {
            while (DateTime.UtcNow < deadline && !green)
            {
                last = await FleetSnapshot.ReadAsync(cluster, ct);
                report(last);
                green = last.Applications.Count > 0 && last.Applications.All(a => a.Green);
                if (!green)
                {
                    await Task.Delay(1000, ct);
                }
            }
        });
        if (green)
        {
            output.WriteLine($"installed: {last!.Applications.Count} applications Synced and Healthy");
            return 0;
        }
        output.WriteLine($"install did not converge in {options.Timeout.TotalSeconds:0} s; these applications are not Synced and Healthy:");
        foreach (var app in last?.Applications.Where(a => !a.Green) ?? [])
        {
            output.WriteLine($"  {app.Namespace}/{app.Name} → {app.Destination}: {app.Sync}/{app.Health} {app.Message}");
        }
        if (last is { Applications.Count: 0 })
        {
            output.WriteLine("  (no Application was generated: see the Pattern's status conditions)");
        }
        return 1;
    }
}
