using System.CommandLine;
using Mcg.Cli.Install;
using Mcg.Patterns.Values;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg install</c> and <c>mcg uninstall</c>: bootstrap a pattern on a hub cluster you have, and remove it.</summary>
public static class InstallCommands
{
    public static Command Install()
    {
        var kube = new KubeOptions();
        var repo = new Option<string>("--repo") { Description = "The pattern repository (https, ssh, file URL or path)", Required = true };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit", DefaultValueFactory = _ => "main" };
        var valuesSecret = new Option<FileInfo?>("--values-secret") { Description = "values-secret file (default: the patterns' search order, then the repository's template)" };
        var passwordFile = new Option<FileInfo?>("--vault-password-file") { Description = "Ansible Vault password for an encrypted values-secret file" };
        var timeout = new Option<int>("--timeout-seconds") { Description = "How long to wait for every Application to be Synced and Healthy", DefaultValueFactory = _ => 900 };
        var vaultAddr = new Option<string?>("--vault-addr") { Description = "Use this external Vault (yours, initialised and unsealed) instead of the hub's: every cluster gets a token limited to its policy" };
        var vaultToken = new Option<FileInfo?>("--vault-token-file") { Description = "With --vault-addr: the Vault token, Ansible-Vault encrypted (password from --vault-password-file) or plain" };
        var vaultCa = new Option<FileInfo?>("--vault-ca-file") { Description = "With --vault-addr: the PEM CA that signed the Vault's certificate (default: the system's trust)" };
        var install = new Command("install", "Install a validated pattern on a hub cluster (what ./pattern.sh make install does)")
        {
            repo, revision, valuesSecret, passwordFile, timeout, vaultAddr, vaultToken, vaultCa,
        };
        install.Validators.Add(result =>
        {
            if ((result.GetValue(vaultToken) is not null || result.GetValue(vaultCa) is not null) && result.GetValue(vaultAddr) is null)
            {
                result.AddError("--vault-token-file and --vault-ca-file need --vault-addr");
            }
            if (result.GetValue(vaultAddr) is not null && result.GetValue(vaultToken) is null)
            {
                result.AddError("--vault-addr needs --vault-token-file (the Vault token, plain or Ansible-Vault encrypted)");
            }
        });
        install.Options.Add(kube.Kubeconfig);
        install.SetAction(async (parse, ct) =>
        {
            var installer = new PatternInstaller(Options(parse, kube, parse.GetValue(repo)!, parse.GetValue(revision)!, parse.GetValue(timeout)) with
            {
                ValuesSecretFile = parse.GetValue(valuesSecret)?.FullName,
                VaultAddress = parse.GetValue(vaultAddr),
                VaultTokenFile = parse.GetValue(vaultToken)?.FullName,
                VaultCaFile = parse.GetValue(vaultCa)?.FullName,
            }, prompt => AnsibleVaultCommands.DecryptionPassword(parse.GetValue(passwordFile)?.FullName, prompt), Console.Out);
            return await RunAsync(() => installer.InstallAsync(ct));
        });
        return install;
    }

    public static Command Uninstall()
    {
        var kube = new KubeOptions();
        var deleteKeys = new Option<bool>("--delete-vault-keys") { Description = "Also delete imperative/vaultkeys (the secret store can then no longer be unsealed)" };
        var timeout = new Option<int>("--timeout-seconds") { Description = "How long to wait for the generated objects to go", DefaultValueFactory = _ => 300 };
        var uninstall = new Command("uninstall", "Remove what mcg install made: the Pattern and the objects it generated; with an external Vault, the cluster tokens (revoked) and their stores")
        {
            deleteKeys, timeout,
        };
        uninstall.Options.Add(kube.Kubeconfig);
        uninstall.SetAction(async (parse, ct) =>
        {
            var installer = new PatternInstaller(Options(parse, kube, "", "main", parse.GetValue(timeout)), null, Console.Out);
            return await RunAsync(() => installer.UninstallAsync(parse.GetValue(deleteKeys), ct));
        });
        return uninstall;
    }

    private static InstallOptions Options(ParseResult parse, KubeOptions kube, string repo, string revision, int timeoutSeconds) => new()
    {
        Kubeconfig = parse.GetValue(kube.Kubeconfig) ?? Environment.GetEnvironmentVariable("KUBECONFIG")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config"),
        RepositoryUrl = Directory.Exists(repo) ? new Uri(Path.GetFullPath(repo)).AbsoluteUri : repo,
        Revision = revision,
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
        CacheDirectory = Directory.CreateTempSubdirectory("mcg-install-").FullName,
    };

    /// <summary>Every failure the user can fix ends in one message naming what and where, and exit code 1.</summary>
    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is InstallException or ValuesException or ValuesSecretFileException or ValuesSecretValidationException or AnsibleVaultException
            or k8s.Exceptions.KubeConfigException)
        {
            Console.Error.WriteLine($"mcg install: {e.Message}");
            return 1;
        }
    }
}
