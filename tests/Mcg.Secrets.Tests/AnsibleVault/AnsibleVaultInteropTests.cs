using System.Text;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.AnsibleVault;

/// <summary>Round trips with Debian's ansible-vault (package ansible-core) in both directions.</summary>
public class AnsibleVaultInteropTests
{
    private const string Secret = "hunter2-but-longer";

    private static (TempDir Dir, string PasswordFile, VaultPassword Password) Setup()
    {
        var dir = new TempDir();
        var pwFile = dir.Write("vault-pass", Secret + "\n");
        return (dir, pwFile, VaultPassword.FromString(Secret));
    }

    [Fact]
    public async Task AnsibleEncryptsWeDecrypt11()
    {
        var (dir, pwFile, password) = Setup();
        using var _ = dir;
        var content = "db_password: s3cr3t\nlist:\n  - é ✓\n";
        var file = dir.Write("vars.yml", content);
        (await Tool.AnsibleVaultAsync(dir.Path, "encrypt", "--vault-password-file", pwFile, file)).Ok();
        Assert.StartsWith("$ANSIBLE_VAULT;1.1;AES256\n", File.ReadAllText(file));
        Assert.Equal(content, Encoding.UTF8.GetString(AnsibleVaultFile.DecryptToBytes(file, password)));
    }

    [Fact]
    public async Task AnsibleEncryptsWithVaultIdWeDecrypt12()
    {
        var (dir, pwFile, password) = Setup();
        using var _ = dir;
        var file = dir.Write("prod.yml", "token: abc\n");
        (await Tool.AnsibleVaultAsync(dir.Path, "encrypt", "--vault-id", $"prod@{pwFile}", file)).Ok();
        var text = File.ReadAllText(file);
        Assert.StartsWith("$ANSIBLE_VAULT;1.2;AES256;prod\n", text);
        Assert.Equal("prod", AnsibleVaultCipher.ParseEnvelope(text).VaultId);
        AnsibleVaultFile.Decrypt(file, password);
        Assert.Equal("token: abc\n", File.ReadAllText(file));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("staging")]
    public async Task WeEncryptAnsibleDecrypts(string? vaultId)
    {
        var (dir, pwFile, password) = Setup();
        using var _ = dir;
        var binary = new byte[1000];
        new Random(7).NextBytes(binary);
        var file = dir.File("blob.bin");
        File.WriteAllBytes(file, binary);
        AnsibleVaultFile.Encrypt(file, password, vaultId);
        // 'view' renders text; 'decrypt --output -' writes the raw bytes.
        var raw = (await Tool.AnsibleVaultAsync(dir.Path, "decrypt", "--output", "-", "--vault-password-file", pwFile, file)).Ok();
        Assert.Equal(binary, raw.OutBytes);
        var args = vaultId is null ? new[] { "decrypt", "--vault-password-file", pwFile, file } : ["decrypt", "--vault-id", $"{vaultId}@{pwFile}", file];
        (await Tool.AnsibleVaultAsync(dir.Path, args)).Ok();
        Assert.Equal(binary, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task AnsibleEncryptStringValuesAreDecryptedInline()
    {
        var (dir, pwFile, password) = Setup();
        using var _ = dir;
        var r1 = (await Tool.AnsibleVaultAsync(dir.Path, "encrypt_string", "--vault-password-file", pwFile, "--name", "api_key", "k3y with 'quotes'")).Ok();
        var r2 = (await Tool.AnsibleVaultAsync(dir.Path, "encrypt_string", "--vault-id", $"dev@{pwFile}", "--name", "other", "second")).Ok();
        var yaml = "---\n# app config\nurl: https://example.com\n" + r1.Out.TrimEnd() + "\n" + r2.Out.TrimEnd() + "\nport: 443\n";
        var decrypted = AnsibleVaultYaml.Decrypt(yaml, password);
        Assert.Equal("---\n# app config\nurl: https://example.com\napi_key: \"k3y with 'quotes'\"\nother: \"second\"\nport: 443\n", decrypted);
    }

    [Fact]
    public async Task AnsibleLoadsOurInlineValues()
    {
        var (dir, pwFile, password) = Setup();
        using var _ = dir;
        var vars = dir.Write("vars.yml", AnsibleVaultYaml.EncryptString("from mcg: \"ok\"", password, "our_value") + "\n");
        var r = (await Tool.RunAsync(Tool.Ansible, ["localhost", "-i", "localhost,", "-c", "local", "-m", "debug", "-a", "var=our_value",
            "-e", "@" + vars, "--vault-password-file", pwFile], dir.Path)).Ok();
        Assert.Contains("\"our_value\": \"from mcg: \\\"ok\\\"\"", r.Out);
    }

    [Fact]
    public async Task FixedSaltOutputEqualsAnsiblesVaultLib()
    {
        using var dir = new TempDir();
        var script = "import sys\nfrom ansible.parsing.vault import VaultLib, VaultSecret\n"
            + "s = VaultSecret(b'pw')\n"
            + "sys.stdout.write(VaultLib([('default', s)]).encrypt(b'some data\\n' * 20, s, salt='" + Vectors.FixedSalt + "').decode())\n";
        var r = (await Tool.RunAsync(Tool.AnsiblePython, ["-c", script], dir.Path)).Ok();
        var ours = AnsibleVaultCipher.Encrypt(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("some data\n", 20))), VaultPassword.FromString("pw"),
            salt: Encoding.ASCII.GetBytes(Vectors.FixedSalt));
        Assert.Equal(r.Out, ours);
    }

    [Fact]
    public async Task WrongPasswordLeavesFilesByteIdentical()
    {
        var (dir, pwFile, password) = Setup();
        using var _ = dir;
        var file = dir.Write("x.yml", "a: b\n");
        AnsibleVaultFile.Encrypt(file, password);
        var before = File.ReadAllBytes(file);
        var wrong = dir.Write("wrong", "not-it\n");

        var e = Assert.Throws<AnsibleVaultDecryptionException>(() => AnsibleVaultFile.Decrypt(file, VaultPassword.FromFile(wrong)));
        Assert.Equal($"Decryption failed (no vault secrets were found that could decrypt) on {file}", e.Message);
        Assert.Equal(before, File.ReadAllBytes(file));

        var r = await Tool.AnsibleVaultAsync(dir.Path, "decrypt", "--vault-password-file", wrong, file);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Decryption failed (no vault secrets were found that could decrypt)", r.Err);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.True(File.Exists(pwFile));
    }
}
