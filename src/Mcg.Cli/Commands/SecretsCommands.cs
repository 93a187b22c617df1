using System.CommandLine;
using k8s;
using Mcg.Cli.Output;
using Mcg.Kube.Client;
using Mcg.Secrets;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.ValuesSecret;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg secrets …</c>: validated-patterns values-secret files loaded into Vault; the ExternalSecret controller on its own.</summary>
public static class SecretsCommands
{
    public static Command Create()
    {
        var secrets = new Command("secrets", "Validated-patterns values-secret files: load them into Vault; the ExternalSecret controller");
        secrets.Subcommands.Add(Load());
        secrets.Subcommands.Add(Controller());
        return secrets;
    }

    private sealed class ConsolePrompter : ISecretPrompter
    {
        public string ReadSecret(string prompt) => ConsolePrompt.ReadHidden(prompt);

        public string ReadPath(string prompt) => ConsolePrompt.ReadLine(prompt);
    }

    /// <summary><c>mcg secrets controller --kubeconfig F</c>: the ExternalSecret controller against any cluster (as ESO's deployment).</summary>
    private static Command Controller()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig of the cluster to run against", Required = true };
        var installCrds = new Option<bool>("--install-crds") { Description = "Install the external-secrets.io/v1 CRDs first", DefaultValueFactory = _ => true };
        var serviceAccount = new Option<bool>("--service-account")
        {
            Description = $"Create the {EsoServiceAccount.Namespace}/{EsoServiceAccount.Name} service account with TokenReview permission",
            DefaultValueFactory = _ => false,
        };
        var workers = new Option<int>("--workers") { Description = "Concurrent ExternalSecret reconciles", DefaultValueFactory = _ => 4 };
        var cmd = new Command("controller", "Run the ExternalSecret controller (SecretStore, ClusterSecretStore, ExternalSecret; Vault provider) against a cluster")
        {
            kubeconfig, installCrds, serviceAccount, workers,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            using var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(parse.GetValue(kubeconfig)!));
            try
            {
                if (parse.GetValue(serviceAccount))
                {
                    await EsoServiceAccount.EnsureAsync(client, ct);
                }
                Console.WriteLine("external-secrets controller running");
                await ExternalSecretsController.RunAsync(client, loggers,
                    new ExternalSecretsOptions { InstallCrds = parse.GetValue(installCrds), Workers = Math.Max(1, parse.GetValue(workers)) }, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Loads the plan, showing every Vault path of it: pending, then created, updated or unchanged (never values).</summary>
    private static async Task<SecretsLoadResult> LoadWithProgressAsync(SecretsPlan plan, ISecretWriter writer, Action<IReadOnlyList<ProgressRow>> report, CancellationToken ct)
    {
        var rows = plan.Secrets.Select(s => new ProgressRow("", [$"{s.Mount}/{s.Path}", "pending", string.Join(", ", s.Fields.Select(f => f.Name))], false)).ToList();
        report(rows);
        var done = 0;
        var result = await ValuesSecretLoader.ApplyAsync(plan, writer, ct, s =>
        {
            var notes = new List<string>();
            if (s.Generated.Count > 0)
            {
                notes.Add("generated: " + string.Join(", ", s.Generated));
            }
            if (s.Kept.Count > 0)
            {
                notes.Add("kept: " + string.Join(", ", s.Kept));
            }
            var status = s.Status.ToString().ToLowerInvariant();
            var detail = notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : "";
            rows[done] = new ProgressRow($"{s.Mount}/{s.Path}: {status}{detail}", [$"{s.Mount}/{s.Path}", status, rows[done].Cells[2] + detail], true);
            done++;
            report(rows);
        });
        return result;
    }

    private static Command Load()
    {
        var file = new Argument<string?>("file")
        {
            Description = "values-secret file (default: $VALUES_SECRET, ~/.config/hybrid-cloud-patterns/values-secret-PATTERN.yaml, "
                + "~/.config/validated-patterns/values-secret-PATTERN.yaml, ~/values-secret-PATTERN.yaml, ~/values-secret.yaml, PATTERN-DIR/values-secret.yaml.template)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var pattern = new Option<string?>("--pattern") { Description = "Pattern name for the file search (default: the pattern directory's name)" };
        var patternDir = new Option<string>("--pattern-dir") { Description = "The pattern's checkout", DefaultValueFactory = _ => "." };
        var addr = new Option<string?>("--vault-addr") { Description = "Vault address (default $VAULT_ADDR, else https://127.0.0.1:8200)" };
        var token = new Option<string?>("--vault-token") { Description = "Vault token (default $VAULT_TOKEN, else ~/.vault-token)" };
        var tokenFile = new Option<string?>("--vault-token-file") { Description = "File holding the Vault token" };
        var caCert = new Option<string?>("--ca-cert") { Description = "PEM CA certificate to verify Vault's TLS certificate (default $VAULT_CACERT)" };
        var passwordFile = new Option<string?>("--vault-password-file")
        {
            Description = $"Ansible Vault password file for an encrypted values-secret file (default ${VaultPassword.PasswordFileEnvironmentVariable}, else prompt)",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and print the plan; do not contact Vault" };
        var cmd = new Command("load", "Load a values-secret file (v1 or v2) into Vault like the validated patterns' load-secrets")
        {
            file, pattern, patternDir, addr, token, tokenFile, caCert, passwordFile, dryRun,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            try
            {
                string path;
                if (parse.GetValue(file) is { } explicitFile)
                {
                    path = Path.GetFullPath(PathUtil.ExpandHome(explicitFile));
                }
                else
                {
                    var location = ValuesSecretLocator.Find(parse.GetValue(pattern), parse.GetValue(patternDir)!);
                    path = location.Path;
                }
                Console.Error.WriteLine($"Using {HomeRelative(path)} to parse secrets");
                var options = new ValuesSecretOptions
                {
                    Prompter = ConsolePrompt.IsInteractive ? new ConsolePrompter() : null,
                    PasswordProvider = () => AnsibleVaultCommands.DecryptionPassword(parse.GetValue(passwordFile), $"Input the password for {path}: "),
                };
                var plan = ValuesSecretLoader.ReadPlan(path, options);
                foreach (var w in plan.Warnings)
                {
                    Console.Error.WriteLine($"warning: {w}");
                }
                if (parse.GetValue(dryRun))
                {
                    PrintPlan(plan);
                    return 0;
                }
                if (plan.Secrets.Count == 0)
                {
                    Console.WriteLine("No secrets to load");
                    return 0;
                }
                var address = parse.GetValue(addr) ?? Env("VAULT_ADDR") ?? "https://127.0.0.1:8200";
                using var writer = VaultHttpSecretWriter.Create(new Uri(address), ResolveToken(parse.GetValue(token), parse.GetValue(tokenFile)),
                    parse.GetValue(caCert) ?? Env("VAULT_CACERT"));
                var result = await ProgressView.ForConsole(["vault path", "status", "fields"], stateColumn: 1)
                    .RunAsync(report => LoadWithProgressAsync(plan, writer, report, ct));
                foreach (var p in result.PasswordPolicies)
                {
                    Console.WriteLine($"password policy {p}: written");
                }
                var names = plan.Secrets.Select(s => s.Name).Distinct().Count();
                Console.WriteLine($"{names} secret{(names == 1 ? "" : "s")} loaded into {result.Secrets.Count} Vault path{(result.Secrets.Count == 1 ? "" : "s")}");
                return 0;
            }
            catch (ValuesSecretValidationException e)
            {
                Console.Error.WriteLine($"ERROR! {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is ValuesSecretFileException or AnsibleVaultException or VaultApiException or HttpRequestException
                or IOException or UnauthorizedAccessException or InvalidOperationException or OperationCanceledException or UriFormatException or ArgumentException)
            {
                Console.Error.WriteLine($"ERROR! {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    private static void PrintPlan(SecretsPlan plan)
    {
        Console.WriteLine($"values-secret format {plan.FormatVersion}: {plan.Secrets.Count} Vault path{(plan.Secrets.Count == 1 ? "" : "s")}");
        foreach (var p in plan.PasswordPolicies)
        {
            Console.WriteLine($"password policy {p.Name}");
        }
        foreach (var s in plan.Secrets)
        {
            Console.WriteLine($"{s.Mount}/{s.Path}");
            foreach (var f in s.Fields)
            {
                Console.WriteLine($"  {f.Name}: {f.Describe()}");
            }
        }
    }

    /// <summary>The token as the vault CLI finds it: option, token file, <c>$VAULT_TOKEN</c>, then <c>~/.vault-token</c>.</summary>
    private static string ResolveToken(string? token, string? tokenFile)
    {
        if (!string.IsNullOrWhiteSpace(token))
        {
            return token.Trim();
        }
        if (!string.IsNullOrEmpty(tokenFile))
        {
            return File.ReadAllText(PathUtil.ExpandHome(tokenFile)).Trim();
        }
        if (Env("VAULT_TOKEN") is { } fromEnv)
        {
            return fromEnv.Trim();
        }
        var helper = Path.Combine(PathUtil.HomeDirectory(), ".vault-token");
        if (File.Exists(helper) && File.ReadAllText(helper).Trim() is { Length: > 0 } stored)
        {
            return stored;
        }
        throw new InvalidOperationException("No Vault token: use --vault-token, --vault-token-file or $VAULT_TOKEN");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static string HomeRelative(string path)
    {
        var home = PathUtil.HomeDirectory().TrimEnd('/');
        return home.Length > 1 && path.StartsWith(home + "/", StringComparison.Ordinal) ? "~" + path[home.Length..] : path;
    }
}
