using System.Text;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.AnsibleVault;

public class AnsibleVaultCipherTests
{
    private static readonly VaultPassword TestPassword = VaultPassword.FromString(Vectors.Password);

    [Fact]
    public void DecryptsTheFormat11Vector()
    {
        Assert.Equal("foobar\n", Encoding.UTF8.GetString(AnsibleVaultCipher.Decrypt(Vectors.Format11, TestPassword)));
        var env = AnsibleVaultCipher.ParseEnvelope(Vectors.Format11);
        Assert.Equal(("1.1", "AES256", "default"), (env.Version, env.Cipher, env.VaultId));
    }

    [Fact]
    public void DecryptsTheFormat12VectorAndReadsItsVaultId()
    {
        Assert.Equal("foobar\n", Encoding.UTF8.GetString(AnsibleVaultCipher.Decrypt(Vectors.Format12, TestPassword)));
        var env = AnsibleVaultCipher.ParseEnvelope(Vectors.Format12);
        Assert.Equal(("1.2", "test_vault_id"), (env.Version, env.VaultId));
        // Vector layout from the reference: 80/80/80/80/4 characters.
        Assert.Equal([80, 80, 80, 80, 4], Vectors.Format12.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Length));
    }

    [Fact]
    public void EncryptionWithAFixedSaltIsByteIdenticalToAnsible()
    {
        var text = AnsibleVaultCipher.Encrypt("hello"u8, VaultPassword.FromString("pw"), salt: Encoding.ASCII.GetBytes(Vectors.FixedSalt));
        Assert.Equal(Vectors.FixedSaltHello, text);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(4099)]
    public void RoundTripsAnyLength(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var password = VaultPassword.FromString("correct horse");
        var text = AnsibleVaultCipher.Encrypt(data, password);
        Assert.Equal(data, AnsibleVaultCipher.Decrypt(text, password));
    }

    [Fact]
    public void EnvelopeIsWrappedAt80ColumnsWithATrailingNewline()
    {
        var text = AnsibleVaultCipher.Encrypt(new byte[200], TestPassword);
        Assert.StartsWith("$ANSIBLE_VAULT;1.1;AES256\n", text);
        Assert.EndsWith("\n", text);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines.Skip(1).SkipLast(1), l => Assert.Equal(80, l.Length));
        Assert.InRange(lines[^1].Length, 1, 80);
        Assert.All(lines.Skip(1), l => Assert.Matches("^[0-9a-f]+$", l));
        // 32-byte salt, 64-hex HMAC, 208 bytes of ciphertext (200 + a 8-byte pad), hex twice.
        var inner = Encoding.ASCII.GetString(Convert.FromHexString(string.Concat(lines.Skip(1)))).Split('\n');
        Assert.Equal((64, 64, 416), (inner[0].Length, inner[1].Length, inner[2].Length));
    }

    [Fact]
    public void VaultIdSelectsFormat12ButDefaultStays11()
    {
        Assert.StartsWith("$ANSIBLE_VAULT;1.2;AES256;prod\n", AnsibleVaultCipher.Encrypt("x"u8, TestPassword, "prod"));
        Assert.StartsWith("$ANSIBLE_VAULT;1.1;AES256\n", AnsibleVaultCipher.Encrypt("x"u8, TestPassword, "default"));
        Assert.Throws<AnsibleVaultException>(() => AnsibleVaultCipher.Encrypt("x"u8, TestPassword, "a;b"));
    }

    [Fact]
    public void SaltIsRandom()
    {
        Assert.NotEqual(AnsibleVaultCipher.Encrypt("x"u8, TestPassword), AnsibleVaultCipher.Encrypt("x"u8, TestPassword));
    }

    [Fact]
    public void WrongPasswordFailsWithAnsiblesMessage()
    {
        var e = Assert.Throws<AnsibleVaultDecryptionException>(() => AnsibleVaultCipher.Decrypt(Vectors.Format11, VaultPassword.FromString("nope")));
        Assert.Equal("Decryption failed (no vault secrets were found that could decrypt)", e.Message);
        e = Assert.Throws<AnsibleVaultDecryptionException>(() => AnsibleVaultCipher.Decrypt(Vectors.Format11, VaultPassword.FromString("nope"), "group_vars/all.yml"));
        Assert.Equal("Decryption failed (no vault secrets were found that could decrypt) on group_vars/all.yml", e.Message);
    }

    [Fact]
    public void TamperedCiphertextFailsTheHmacCheck()
    {
        var text = AnsibleVaultCipher.Encrypt("some secret text"u8, TestPassword);
        var lines = text.Split('\n');
        var inner = Encoding.ASCII.GetString(Convert.FromHexString(string.Concat(lines.Skip(1)))).Split('\n');
        var ct = inner[2].ToCharArray();
        ct[0] = ct[0] == '0' ? '1' : '0';
        var forged = "$ANSIBLE_VAULT;1.1;AES256\n" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes($"{inner[0]}\n{inner[1]}\n{new string(ct)}")) + "\n";
        Assert.Throws<AnsibleVaultDecryptionException>(() => AnsibleVaultCipher.Decrypt(forged, TestPassword));
    }

    [Fact]
    public void ToleratesCrLfAndUppercaseHex()
    {
        var crlf = Vectors.Format11.Replace("\n", "\r\n");
        Assert.Equal("foobar\n"u8.ToArray(), AnsibleVaultCipher.Decrypt(crlf, TestPassword));
        var upper = string.Join('\n', Vectors.Format11.Split('\n').Select((l, i) => i == 0 ? l : l.ToUpperInvariant()));
        Assert.Equal("foobar\n"u8.ToArray(), AnsibleVaultCipher.Decrypt(upper, TestPassword));
    }

    [Fact]
    public void RejectsMalformedInput()
    {
        var notVault = Assert.Throws<AnsibleVaultException>(() => AnsibleVaultCipher.Decrypt("hello: world\n", TestPassword, "x.yml"));
        Assert.Equal("input is not vault encrypted data. x.yml is not a vault encrypted file", notVault.Message);
        Assert.Throws<AnsibleVaultFormatException>(() => AnsibleVaultCipher.Decrypt("$ANSIBLE_VAULT;1.1;AES256\nzz\n", TestPassword));
        Assert.Throws<AnsibleVaultFormatException>(() => AnsibleVaultCipher.Decrypt("$ANSIBLE_VAULT;1.1;AES256\n616263\n", TestPassword));
        Assert.Throws<AnsibleVaultFormatException>(() => AnsibleVaultCipher.Decrypt("$ANSIBLE_VAULT;1.1\n", TestPassword));
        var cipher = Assert.Throws<AnsibleVaultException>(() => AnsibleVaultCipher.Decrypt("$ANSIBLE_VAULT;1.0;AES\n6162\n", TestPassword));
        Assert.Equal("AES cipher could not be found", cipher.Message);
    }

    [Fact]
    public void PasswordFileIsStrippedLikeAnsible()
    {
        using var dir = new TempDir();
        var file = dir.Write("pw", "  " + Vectors.Password + " \r\n\n");
        Assert.Equal("foobar\n"u8.ToArray(), AnsibleVaultCipher.Decrypt(Vectors.Format11, VaultPassword.FromFile(file)));
        var empty = dir.Write("empty", " \n");
        var e = Assert.Throws<AnsibleVaultException>(() => VaultPassword.FromFile(empty));
        Assert.Contains("Invalid vault password was provided from file", e.Message);
        Assert.Throws<AnsibleVaultException>(() => VaultPassword.FromFile(dir.File("missing")));
    }

    [Fact]
    public void ExecutablePasswordFilesAreRunAndClientScriptsGetTheVaultId()
    {
        using var dir = new TempDir();
        const UnixFileMode exec = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var script = dir.Write("pass.sh", $"#!/bin/sh\necho '{Vectors.Password}'\n", exec);
        Assert.Equal("foobar\n"u8.ToArray(), AnsibleVaultCipher.Decrypt(Vectors.Format11, VaultPassword.FromFile(script)));
        var client = dir.Write("vault-client.sh", "#!/bin/sh\n[ \"$1\" = --vault-id ] && printf 'pw-for-%s' \"$2\"\n", exec);
        Assert.Equal("pw-for-prod"u8.ToArray(), VaultPassword.FromFile(client, "prod").Bytes.ToArray());
        var failing = dir.Write("fail.sh", "#!/bin/sh\necho oops >&2\nexit 3\n", exec);
        Assert.Contains("returned non-zero (3)", Assert.Throws<AnsibleVaultException>(() => VaultPassword.FromFile(failing)).Message);
    }
}
