using System.CommandLine;
using System.Text;
using Mcg.Secrets.AnsibleVault;

namespace Mcg.Cli.Commands;

/// <summary>
/// <c>mcg vault encrypt|decrypt|view|encrypt-string</c>: Ansible Vault files, compatible with <c>ansible-vault</c>.
/// Password: <c>--vault-password-file</c>, else <c>$ANSIBLE_VAULT_PASSWORD_FILE</c>, else an interactive prompt.
/// </summary>
public static class AnsibleVaultCommands
{
    public static IEnumerable<Func<Command>> All => [Encrypt, Decrypt, View, EncryptString];

    private static Option<string?> PasswordFileOption() => new("--vault-password-file", "--vault-pass-file")
    {
        Description = $"File holding the vault password (an executable file is run); default ${VaultPassword.PasswordFileEnvironmentVariable}, else prompt",
    };

    private static Option<string?> VaultIdOption() => new("--vault-id", "--encrypt-vault-id")
    {
        Description = "Vault id to encrypt with (format 1.2 header), as ID or ID@SOURCE where SOURCE is a password file or 'prompt'",
    };

    private static Option<string?> OutputOption() => new("--output")
    {
        Description = "Write the result to this file ('-' for stdout) instead of replacing the input",
    };

    private static Argument<string[]> FilesArgument(string description) => new("file")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static Command Encrypt()
    {
        var files = FilesArgument("Files to encrypt in place ('-' or none: stdin to stdout)");
        var output = OutputOption();
        var passwordFile = PasswordFileOption();
        var vaultId = VaultIdOption();
        var cmd = new Command("encrypt", "Encrypt files with Ansible Vault (ansible-vault encrypt)") { files, output, passwordFile, vaultId };
        cmd.SetAction(parse => Run(() =>
        {
            var paths = Inputs(parse.GetValue(files));
            var outPath = parse.GetValue(output);
            CheckSingleOutput(paths, outPath);
            var (id, password) = EncryptionPassword(parse.GetValue(vaultId), parse.GetValue(passwordFile));
            foreach (var path in paths)
            {
                if (path == "-")
                {
                    var data = ReadStdin("plaintext");
                    if (AnsibleVaultCipher.IsEncrypted(data))
                    {
                        throw new AnsibleVaultException("input is already encrypted");
                    }
                    WriteResult(Encoding.ASCII.GetBytes(AnsibleVaultCipher.Encrypt(data, password, id)), outPath ?? "-");
                }
                else if (outPath == "-")
                {
                    var data = File.ReadAllBytes(path);
                    if (AnsibleVaultCipher.IsEncrypted(data))
                    {
                        throw new AnsibleVaultException($"input is already encrypted: {path}");
                    }
                    WriteResult(Encoding.ASCII.GetBytes(AnsibleVaultCipher.Encrypt(data, password, id)), "-");
                }
                else
                {
                    AnsibleVaultFile.Encrypt(path, password, id, outPath);
                }
            }
            Console.Error.WriteLine("Encryption successful");
        }));
        return cmd;
    }

    private static Command Decrypt()
    {
        var files = FilesArgument("Files to decrypt in place ('-' or none: stdin to stdout)");
        var output = OutputOption();
        var passwordFile = PasswordFileOption();
        var cmd = new Command("decrypt", "Decrypt Ansible Vault files (ansible-vault decrypt)") { files, output, passwordFile };
        cmd.SetAction(parse => Run(() =>
        {
            var paths = Inputs(parse.GetValue(files));
            var outPath = parse.GetValue(output);
            CheckSingleOutput(paths, outPath);
            var password = DecryptionPassword(parse.GetValue(passwordFile));
            foreach (var path in paths)
            {
                if (path == "-")
                {
                    WriteResult(AnsibleVaultCipher.Decrypt(ReadStdin("ciphertext"), password), outPath ?? "-");
                }
                else if (outPath == "-")
                {
                    WriteResult(AnsibleVaultFile.DecryptToBytes(path, password), "-");
                }
                else
                {
                    AnsibleVaultFile.Decrypt(path, password, outPath);
                }
            }
            Console.Error.WriteLine("Decryption successful");
        }));
        return cmd;
    }

    private static Command View()
    {
        var files = new Argument<string[]>("file") { Description = "Encrypted files to print", Arity = ArgumentArity.OneOrMore };
        var passwordFile = PasswordFileOption();
        var cmd = new Command("view", "Print the plaintext of Ansible Vault files (ansible-vault view)") { files, passwordFile };
        cmd.SetAction(parse => Run(() =>
        {
            var password = DecryptionPassword(parse.GetValue(passwordFile));
            foreach (var path in parse.GetValue(files)!)
            {
                WriteResult(path == "-" ? AnsibleVaultCipher.Decrypt(ReadStdin("ciphertext"), password) : AnsibleVaultFile.DecryptToBytes(path, password), "-");
            }
        }));
        return cmd;
    }

    private static Command EncryptString()
    {
        var value = new Argument<string?>("value") { Description = "The string to encrypt ('-' or none: read stdin)", Arity = ArgumentArity.ZeroOrOne };
        var name = new Option<string?>("--name", "-n") { Description = "Variable name: prints 'NAME: !vault |'" };
        var stdinName = new Option<string?>("--stdin-name") { Description = "Variable name for the value read from stdin" };
        var passwordFile = PasswordFileOption();
        var vaultId = VaultIdOption();
        var cmd = new Command("encrypt-string", "Encrypt a string as an inline !vault YAML value (ansible-vault encrypt_string)")
        {
            value, name, stdinName, passwordFile, vaultId,
        };
        cmd.Aliases.Add("encrypt_string");
        cmd.SetAction(parse => Run(() =>
        {
            var text = parse.GetValue(value);
            var varName = parse.GetValue(name);
            if (text is null or "-" || parse.GetValue(stdinName) is not null)
            {
                var bytes = ReadStdin("plaintext");
                if (bytes.Length == 0)
                {
                    throw new AnsibleVaultException("stdin was empty, not encrypting");
                }
                text = Encoding.UTF8.GetString(bytes);
                varName = parse.GetValue(stdinName) ?? varName;
            }
            else if (text.Length == 0)
            {
                throw new AnsibleVaultException("The plaintext provided from the command line args was empty, not encrypting");
            }
            var (id, password) = EncryptionPassword(parse.GetValue(vaultId), parse.GetValue(passwordFile));
            Console.Out.WriteLine(AnsibleVaultYaml.FormatEncryptedString(AnsibleVaultCipher.Encrypt(Encoding.UTF8.GetBytes(text), password, id), varName));
            Console.Error.WriteLine("Encryption successful");
        }));
        return cmd;
    }

    /// <summary>
    /// The decryption password: <paramref name="passwordFile"/>, else <c>$ANSIBLE_VAULT_PASSWORD_FILE</c>, else a prompt.
    /// Used by <c>mcg secrets load</c> for encrypted values files too.
    /// </summary>
    public static VaultPassword DecryptionPassword(string? passwordFile, string prompt = "Vault password: ")
    {
        if (PasswordFileFromOptionOrEnvironment(passwordFile) is { } file)
        {
            return VaultPassword.FromFile(file);
        }
        return VaultPassword.FromPrompt(ConsolePrompt.ReadHidden(prompt));
    }

    private static (string? VaultId, VaultPassword Password) EncryptionPassword(string? vaultIdSpec, string? passwordFile)
    {
        string? id = null;
        string? source = null;
        if (vaultIdSpec is not null)
        {
            var at = vaultIdSpec.IndexOf('@');
            (id, source) = at < 0 ? (vaultIdSpec, null) : (vaultIdSpec[..at], vaultIdSpec[(at + 1)..]);
            if (id.Length == 0)
            {
                id = null;
            }
        }
        var vaultId = id ?? AnsibleVaultCipher.DefaultVaultId;
        if (source is not null and not "prompt")
        {
            return (id, VaultPassword.FromFile(source, vaultId));
        }
        if (source is null && PasswordFileFromOptionOrEnvironment(passwordFile) is { } file)
        {
            return (id, VaultPassword.FromFile(file, vaultId));
        }
        var suffix = id is null or AnsibleVaultCipher.DefaultVaultId ? "" : $" ({id})";
        var first = ConsolePrompt.ReadHidden($"New vault password{suffix}: ");
        var second = ConsolePrompt.ReadHidden($"Confirm new vault password{suffix}: ");
        if (first != second)
        {
            throw new AnsibleVaultException("Passwords do not match");
        }
        return (id, VaultPassword.FromPrompt(first));
    }

    private static string? PasswordFileFromOptionOrEnvironment(string? passwordFile)
    {
        if (!string.IsNullOrEmpty(passwordFile))
        {
            return passwordFile;
        }
        var env = Environment.GetEnvironmentVariable(VaultPassword.PasswordFileEnvironmentVariable);
        return string.IsNullOrEmpty(env) ? null : env;
    }

    private static string[] Inputs(string[]? files) => files is { Length: > 0 } ? files : ["-"];

    private static void CheckSingleOutput(string[] paths, string? output)
    {
        if (output is not null && paths.Length > 1)
        {
            throw new AnsibleVaultException("At most one input file may be used with the --output option");
        }
    }

    private static byte[] ReadStdin(string what)
    {
        if (!Console.IsInputRedirected)
        {
            Console.Error.WriteLine($"Reading {what} input from stdin. (ctrl-d to end input)");
        }
        using var stdin = Console.OpenStandardInput();
        using var ms = new MemoryStream();
        stdin.CopyTo(ms);
        return ms.ToArray();
    }

    private static void WriteResult(byte[] data, string output)
    {
        if (output == "-")
        {
            Console.Out.Flush();
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(data);
            stdout.Flush();
        }
        else
        {
            Mcg.Secrets.AtomicFile.WriteAllBytes(output, data);
        }
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is AnsibleVaultException or IOException or UnauthorizedAccessException or InvalidOperationException or OperationCanceledException)
        {
            Console.Error.WriteLine($"ERROR! {e.Message}");
            return 1;
        }
    }
}
