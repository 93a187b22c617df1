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
        var install = new Command("install", "Install a validated pattern on a hub cluster (what ./pattern.sh make install does)")
        {
            repo, revision, valuesSecret, passwordFile, timeout,
        };
        install.Options.Add(kube.Kubeconfig);
        install.SetAction(async (parse, ct) =>
        {
            var installer = new PatternInstaller(Options(parse, kube, parse.GetValue(repo)!, parse.GetValue(revision)!, parse.GetValue(timeout)) with
            {
                ValuesSecretFile = parse.GetValue(valuesSecret)?.FullName,
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
        var uninstall = new Command("uninstall", "Remove what mcg install made: the Pattern and the objects it generated") { deleteKeys, timeout };
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
