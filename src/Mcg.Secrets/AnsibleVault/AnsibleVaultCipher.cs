using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mcg.Secrets.AnsibleVault;

/// <summary>The parsed header and payload of vault text.</summary>
/// <param name="Version">Format version: <c>1.1</c> or <c>1.2</c>.</param>
/// <param name="Cipher">Cipher name; only <c>AES256</c> is supported.</param>
/// <param name="VaultId">The vault-id of a 1.2 header, else <c>default</c>.</param>
/// <param name="Payload">The hex payload with the line breaks removed.</param>
public sealed record VaultEnvelope(string Version, string Cipher, string VaultId, string Payload);

/// <summary>
/// Ansible Vault format 1.1/1.2 with the AES256 cipher, byte-compatible with <c>ansible-vault</c>
/// (ansible <c>lib/ansible/parsing/vault/__init__.py</c>): PBKDF2-HMAC-SHA256 (10000 iterations, 32-byte salt) →
/// AES-256 key, HMAC-SHA256 key, 16-byte initial counter; AES-256-CTR over the PKCS#7-padded plaintext; HMAC over the
/// ciphertext; <c>hexlify(hexlify(salt)\nhexlify(hmac)\nhexlify(ciphertext))</c> wrapped at 80 columns.
/// </summary>
public static class AnsibleVaultCipher
{
    public const string Header = "$ANSIBLE_VAULT";
    public const string DefaultVaultId = "default";
    public const string CipherName = "AES256";
    public const int Iterations = 10000;
    public const int SaltLength = 32;
    private const int KeyLength = 32;
    private const int BlockSize = 16;
    private const int LineWidth = 80;

    /// <summary>True when the text starts with <c>$ANSIBLE_VAULT</c> (ansible's <c>is_encrypted</c>).</summary>
    public static bool IsEncrypted(ReadOnlySpan<byte> data) => data.StartsWith("$ANSIBLE_VAULT"u8);

    public static bool IsEncrypted(string text) => text.StartsWith(Header, StringComparison.Ordinal);

    /// <summary>
    /// Encrypts <paramref name="plaintext"/>. A vault-id other than <c>default</c> gives format 1.2 with the id in the header.
    /// <paramref name="salt"/> overrides the random 32-byte salt (as <c>ANSIBLE_VAULT_ENCRYPT_SALT</c> does; tests only).
    /// The result ends with a newline, exactly like the file <c>ansible-vault encrypt</c> writes.
    /// </summary>
    public static string Encrypt(ReadOnlySpan<byte> plaintext, VaultPassword password, string? vaultId = null, byte[]? salt = null)
    {
        if (salt is { Length: 0 })
        {
            throw new AnsibleVaultException("Empty or invalid salt passed to encrypt()");
        }
        if (vaultId is not null && (vaultId.Length == 0 || vaultId.Contains(';') || vaultId.Any(char.IsWhiteSpace)))
        {
            throw new AnsibleVaultException($"Invalid vault-id \"{vaultId}\": it must be non-empty and contain no ';' or whitespace");
        }
        salt ??= RandomNumberGenerator.GetBytes(SaltLength);
        var (aesKey, hmacKey, iv) = DeriveKeys(password.Bytes, salt);

        var padLength = BlockSize - plaintext.Length % BlockSize;
        var padded = new byte[plaintext.Length + padLength];
        plaintext.CopyTo(padded);
        padded.AsSpan(plaintext.Length).Fill((byte)padLength);
        var ciphertext = AesCtr(aesKey, iv, padded);
        CryptographicOperations.ZeroMemory(padded);
        var hmac = HMACSHA256.HashData(hmacKey, ciphertext);

        var inner = Convert.ToHexStringLower(salt) + "\n" + Convert.ToHexStringLower(hmac) + "\n" + Convert.ToHexStringLower(ciphertext);
        var payload = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(inner));

        var id = vaultId ?? DefaultVaultId;
        var sb = new StringBuilder(payload.Length + payload.Length / LineWidth + 64);
        sb.Append(Header).Append(id == DefaultVaultId ? ";1.1;" : ";1.2;").Append(CipherName);
        if (id != DefaultVaultId)
        {
            sb.Append(';').Append(id);
        }
        sb.Append('\n');
        for (var i = 0; i < payload.Length; i += LineWidth)
        {
            sb.Append(payload, i, Math.Min(LineWidth, payload.Length - i)).Append('\n');
        }
        return sb.ToString();
    }

    public static string Encrypt(string plaintext, VaultPassword password, string? vaultId = null) =>
        Encrypt(Encoding.UTF8.GetBytes(plaintext), password, vaultId);

    /// <summary>
    /// Decrypts vault text. A wrong password (HMAC mismatch) throws <see cref="AnsibleVaultDecryptionException"/> with
    /// ansible's message; malformed input throws <see cref="AnsibleVaultFormatException"/>.
    /// </summary>
    /// <param name="source">A file name for messages (ansible's "on FILE" suffix).</param>
    public static byte[] Decrypt(string vaultText, VaultPassword password, string? source = null)
    {
        var envelope = ParseEnvelope(vaultText, source);
        var (ciphertext, salt, storedHmac) = ParsePayload(envelope.Payload, source);
        var (aesKey, hmacKey, iv) = DeriveKeys(password.Bytes, salt);
        var computed = HMACSHA256.HashData(hmacKey, ciphertext);
        if (!CryptographicOperations.FixedTimeEquals(computed, storedHmac))
        {
            throw new AnsibleVaultDecryptionException(source);
        }
        if (ciphertext.Length == 0 || ciphertext.Length % BlockSize != 0)
        {
            throw new AnsibleVaultFormatException(Prefix(source) + "Invalid padding bytes");
        }
        var padded = AesCtr(aesKey, iv, ciphertext);
        var pad = padded[^1];
        if (pad is 0 or > BlockSize || padded.AsSpan(padded.Length - pad).ContainsAnyExcept(pad))
        {
            throw new AnsibleVaultFormatException(Prefix(source) + "Invalid padding bytes");
        }
        var plaintext = padded[..^pad];
        CryptographicOperations.ZeroMemory(padded);
        return plaintext;
    }

    public static byte[] Decrypt(ReadOnlySpan<byte> vaultText, VaultPassword password, string? source = null)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(vaultText);
        }
        catch (DecoderFallbackException)
        {
            throw new AnsibleVaultException(NotEncryptedMessage(source));
        }
        return Decrypt(text, password, source);
    }

    /// <summary>Decrypts to a UTF-8 string.</summary>
    public static string DecryptString(string vaultText, VaultPassword password, string? source = null)
    {
        var bytes = Decrypt(vaultText, password, source);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new AnsibleVaultException(Prefix(source) + "the decrypted value is not valid UTF-8 text");
        }
    }

    /// <summary>Parses the header like ansible's <c>_parse_vaulttext_envelope</c>: first line split on ';', body lines joined.</summary>
    public static VaultEnvelope ParseEnvelope(string vaultText, string? source = null)
    {
        if (!IsEncrypted(vaultText))
        {
            throw new AnsibleVaultException(NotEncryptedMessage(source));
        }
        var lines = SplitLines(vaultText);
        var header = lines[0].Trim().Split(';');
        if (header.Length < 3)
        {
            throw new AnsibleVaultFormatException($"Vault envelope format error{(source is null ? "" : " in " + source)}: the header \"{lines[0].Trim()}\" has no version and cipher");
        }
        var version = header[1].Trim();
        var cipher = header[2].Trim();
        var vaultId = header.Length >= 4 ? header[3].Trim() : DefaultVaultId;
        if (cipher != CipherName)
        {
            throw new AnsibleVaultException($"{cipher} cipher could not be found");
        }
        if (version is not ("1.1" or "1.2"))
        {
            throw new AnsibleVaultFormatException($"{Prefix(source)}unsupported vault format version {version} (1.1 and 1.2 are supported)");
        }
        var payload = string.Concat(lines.Skip(1).Select(l => l.Trim()));
        return new VaultEnvelope(version, cipher, vaultId, payload);
    }

    // Python str.splitlines() line boundaries that can appear in vault text.
    private static string[] SplitLines(string text) => text.Split(["\r\n", "\n", "\r", "\v", "\f", "\u001c", "\u001d", "\u001e", "\u0085", "\u2028", "\u2029"], StringSplitOptions.None);

    private static (byte[] Ciphertext, byte[] Salt, byte[] Hmac) ParsePayload(string payload, string? source)
    {
        var inner = Unhexlify(payload, source);
        var first = Array.IndexOf(inner, (byte)'\n');
        var second = first < 0 ? -1 : Array.IndexOf(inner, (byte)'\n', first + 1);
        if (second < 0)
        {
            throw new AnsibleVaultFormatException($"Vault vaulttext format error{(source is null ? "" : " in " + source)}: not enough values to unpack (expected 3)");
        }
        var salt = Unhexlify(Encoding.ASCII.GetString(inner, 0, first), source);
        var hmac = Unhexlify(Encoding.ASCII.GetString(inner, first + 1, second - first - 1), source);
        var ciphertext = Unhexlify(Encoding.ASCII.GetString(inner, second + 1, inner.Length - second - 1), source);
        return (ciphertext, salt, hmac);
    }

    private static byte[] Unhexlify(string hex, string? source)
    {
        if (hex.Length % 2 != 0)
        {
            throw new AnsibleVaultFormatException($"{Prefix(source)}Vault format unhexlify error: Odd-length string");
        }
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new AnsibleVaultFormatException($"{Prefix(source)}Vault format unhexlify error: Non-hexadecimal digit found");
        }
    }

    private static (byte[] AesKey, byte[] HmacKey, byte[] Iv) DeriveKeys(ReadOnlySpan<byte> password, byte[] salt)
    {
        var derived = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 2 * KeyLength + BlockSize);
        return (derived[..KeyLength], derived[KeyLength..(2 * KeyLength)], derived[(2 * KeyLength)..]);
    }

    /// <summary>AES-256-CTR with a 128-bit big-endian counter starting at <paramref name="iv"/> (as pyca/cryptography's CTR mode).</summary>
    internal static byte[] AesCtr(byte[] key, byte[] iv, ReadOnlySpan<byte> input)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var blocks = (input.Length + BlockSize - 1) / BlockSize;
        var counters = new byte[blocks * BlockSize];
        var hi = BinaryPrimitives.ReadUInt64BigEndian(iv.AsSpan(0, 8));
        var lo = BinaryPrimitives.ReadUInt64BigEndian(iv.AsSpan(8, 8));
        for (var b = 0; b < blocks; b++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(counters.AsSpan(b * BlockSize, 8), hi);
            BinaryPrimitives.WriteUInt64BigEndian(counters.AsSpan(b * BlockSize + 8, 8), lo);
            lo++;
            if (lo == 0)
            {
                hi++;
            }
        }
        var keystream = aes.EncryptEcb(counters, PaddingMode.None);
        var output = new byte[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = (byte)(input[i] ^ keystream[i]);
        }
        CryptographicOperations.ZeroMemory(keystream);
        return output;
    }

    private static string Prefix(string? source) => source is null ? "" : source + ": ";

    private static string NotEncryptedMessage(string? source) =>
        "input is not vault encrypted data. " + (source is null ? "" : $"{source} is not a vault encrypted file");
}
