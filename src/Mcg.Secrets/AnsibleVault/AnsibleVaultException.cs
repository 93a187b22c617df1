namespace Mcg.Secrets.AnsibleVault;

/// <summary>An Ansible Vault operation failed: wrong password, bad input, unreadable password file.</summary>
public class AnsibleVaultException : Exception
{
    public AnsibleVaultException(string message) : base(message)
    {
    }

    public AnsibleVaultException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>The vault text is malformed (bad header, bad hex, missing parts) — no password could decrypt it.</summary>
public sealed class AnsibleVaultFormatException : AnsibleVaultException
{
    public AnsibleVaultFormatException(string message) : base(message)
    {
    }
}

/// <summary>No password could decrypt the vault text (HMAC mismatch), as ansible reports it.</summary>
public sealed class AnsibleVaultDecryptionException : AnsibleVaultException
{
    public const string BaseMessage = "Decryption failed (no vault secrets were found that could decrypt)";

    public AnsibleVaultDecryptionException(string? source) : base(source is null ? BaseMessage : $"{BaseMessage} on {source}")
    {
    }
}
