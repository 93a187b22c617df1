using System.CommandLine;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg vault …</c>: the Vault-compatible secret store and Ansible Vault files.</summary>
public static class VaultCommands
{
    /// <summary>Subcommands are added by the files that implement them (serve; encrypt/decrypt/view/encrypt-string).</summary>
    public static Command Create()
    {
        var vault = new Command("vault", "The Vault-compatible secret store and Ansible Vault encrypted files");
        foreach (var sub in Subcommands)
        {
            vault.Subcommands.Add(sub());
        }
        return vault;
    }

    private static IEnumerable<Func<Command>> Subcommands =>
    [
        VaultServeCommand.Create,
        .. AnsibleVaultCommands.All,
    ];
}
