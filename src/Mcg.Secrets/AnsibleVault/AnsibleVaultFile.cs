namespace Mcg.Secrets.AnsibleVault;

/// <summary>
/// File operations of <c>ansible-vault</c> (encrypt, decrypt, view). Everything is computed in memory before anything
/// is written, so a wrong password or malformed input leaves the file untouched; writes are atomic.
/// </summary>
public static class AnsibleVaultFile
{
    /// <summary>Encrypts <paramref name="path"/> in place, or into <paramref name="output"/>.</summary>
    public static void Encrypt(string path, VaultPassword password, string? vaultId = null, string? output = null)
    {
        var plaintext = Read(path);
        if (AnsibleVaultCipher.IsEncrypted(plaintext))
        {
            throw new AnsibleVaultException($"input is already encrypted: {path}");
        }
        var vaultText = AnsibleVaultCipher.Encrypt(plaintext, password, vaultId);
        AtomicFile.WriteAllBytes(output ?? path, System.Text.Encoding.ASCII.GetBytes(vaultText));
    }

    /// <summary>Decrypts <paramref name="path"/> in place, or into <paramref name="output"/>.</summary>
    public static void Decrypt(string path, VaultPassword password, string? output = null)
    {
        var plaintext = DecryptToBytes(path, password);
        AtomicFile.WriteAllBytes(output ?? path, plaintext);
    }

    /// <summary>The plaintext of an encrypted file (<c>ansible-vault view</c>).</summary>
    public static byte[] DecryptToBytes(string path, VaultPassword password)
    {
        var data = Read(path);
        if (!AnsibleVaultCipher.IsEncrypted(data))
        {
            throw new AnsibleVaultException($"input is not vault encrypted data. {path} is not a vault encrypted file");
        }
        try
        {
            return AnsibleVaultCipher.Decrypt(data, password, path);
        }
        catch (AnsibleVaultDecryptionException)
        {
            throw;
        }
        catch (AnsibleVaultException e)
        {
            throw new AnsibleVaultException($"{e.Message} for {path}", e);
        }
    }

    /// <summary>True when the file starts with the <c>$ANSIBLE_VAULT</c> header (what find_vp_secrets checks with <c>head -1</c>).</summary>
    public static bool IsEncryptedFile(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[AnsibleVaultCipher.Header.Length];
        var n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return AnsibleVaultCipher.IsEncrypted(head[..n]);
    }

    private static byte[] Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnsibleVaultException($"Unable to read source file ({path}): {e.Message}", e);
        }
    }
}
