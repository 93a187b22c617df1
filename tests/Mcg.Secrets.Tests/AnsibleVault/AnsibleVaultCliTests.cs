using System.Text;
using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.AnsibleVault;

/// <summary><c>mcg vault encrypt|decrypt|view|encrypt-string</c> run as a process, checked against ansible-vault.</summary>
public class AnsibleVaultCliTests
{
    private const string Secret = "cli-password";

    [Fact]
    public async Task EncryptInPlacePreservesPermissionsAndAnsibleCanView()
    {
        using var dir = new TempDir();
        var pw = dir.Write("pw", Secret + "\n");
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        var file = dir.Write("secret.yml", "password: hunter2\n", mode);
        var r = (await Tool.McgAsync(dir.Path, null, null, "vault", "encrypt", file, "--vault-password-file", pw)).Ok();
        Assert.Contains("Encryption successful", r.Err);
        Assert.StartsWith("$ANSIBLE_VAULT;1.1;AES256\n", File.ReadAllText(file));
        Assert.Equal(mode, File.GetUnixFileMode(file));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.Equal("password: hunter2\n", (await Tool.AnsibleVaultAsync(dir.Path, "view", "--vault-password-file", pw, file)).Ok().Out);
    }

    [Fact]
    public async Task EncryptWithVaultIdAndOutputThenDecryptWithTheEnvironmentPasswordFile()
    {
        using var dir = new TempDir();
        var pw = dir.Write("pw", Secret);
        var file = dir.Write("plain.txt", "line1\nline2\n");
        var encrypted = dir.File("out/enc.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(encrypted)!);
        (await Tool.McgAsync(dir.Path, null, null, "vault", "encrypt", file, "--output", encrypted, "--vault-id", "prod", "--vault-password-file", pw)).Ok();
        Assert.Equal("line1\nline2\n", File.ReadAllText(file));
        Assert.StartsWith("$ANSIBLE_VAULT;1.2;AES256;prod\n", File.ReadAllText(encrypted));
        Assert.Equal(AtomicFile.NewFileMode, File.GetUnixFileMode(encrypted));

        var env = new Dictionary<string, string?> { ["ANSIBLE_VAULT_PASSWORD_FILE"] = pw };
        var decrypted = dir.File("dec.txt");
        (await Tool.McgAsync(dir.Path, env, null, "vault", "decrypt", encrypted, "--output", decrypted)).Ok();
        Assert.Equal("line1\nline2\n", File.ReadAllText(decrypted));
        var view = (await Tool.McgAsync(dir.Path, env, null, "vault", "view", encrypted)).Ok();
        Assert.Equal("line1\nline2\n", view.Out);
    }

    [Fact]
    public async Task VaultIdWithPasswordSource()
    {
        using var dir = new TempDir();
        var pw = dir.Write("prod-pass", Secret);
        var file = dir.Write("f.yml", "k: v\n");
        (await Tool.McgAsync(dir.Path, null, null, "vault", "encrypt", file, "--vault-id", $"prod@{pw}")).Ok();
        Assert.StartsWith("$ANSIBLE_VAULT;1.2;AES256;prod\n", File.ReadAllText(file));
        Assert.Equal("k: v\n", (await Tool.AnsibleVaultAsync(dir.Path, "view", "--vault-id", $"prod@{pw}", file)).Ok().Out);
    }

    [Fact]
    public async Task DecryptsWhatAnsibleEncryptedInPlace()
    {
        using var dir = new TempDir();
        var pw = dir.Write("pw", Secret);
        var file = dir.Write("f.yml", "from: ansible\n");
        (await Tool.AnsibleVaultAsync(dir.Path, "encrypt", "--vault-id", $"dev@{pw}", file)).Ok();
        var r = (await Tool.McgAsync(dir.Path, null, null, "vault", "decrypt", file, "--vault-password-file", pw)).Ok();
        Assert.Contains("Decryption successful", r.Err);
        Assert.Equal("from: ansible\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task WrongPasswordFailsAndLeavesTheFileByteIdentical()
    {
        using var dir = new TempDir();
        var pw = dir.Write("pw", Secret);
        var bad = dir.Write("bad", "wrong");
        var file = dir.Write("f.yml", "x: 1\n");
        (await Tool.McgAsync(dir.Path, null, null, "vault", "encrypt", file, "--vault-password-file", pw)).Ok();
        var before = File.ReadAllBytes(file);
        var modeBefore = File.GetUnixFileMode(file);
        var r = await Tool.McgAsync(dir.Path, null, null, "vault", "decrypt", file, "--vault-password-file", bad);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ERROR! Decryption failed (no vault secrets were found that could decrypt)", r.Err);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Equal(modeBefore, File.GetUnixFileMode(file));
        Assert.Single(Directory.GetFiles(dir.Path, "f.yml*"));
    }

    [Fact]
    public async Task EncryptStringPrintsAnInlineBlockAnsibleCanRead()
    {
        using var dir = new TempDir();
        var pw = dir.Write("pw", Secret);
        var r = (await Tool.McgAsync(dir.Path, null, null, "vault", "encrypt-string", "s3cr3t value", "--name", "db_pass", "--vault-password-file", pw)).Ok();
        Assert.StartsWith("db_pass: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n", r.Out);
        Assert.Contains("Encryption successful", r.Err);
        var decrypted = AnsibleVaultYaml.Load(r.Out, VaultPassword.FromString(Secret))!;
        Assert.Equal("s3cr3t value", decrypted["db_pass"]!.GetValue<string>());

        // Stdin with --stdin-name, as ansible-vault encrypt_string --stdin-name does.
        var s = (await Tool.McgAsync(dir.Path, null, "from stdin"u8.ToArray(), "vault", "encrypt_string", "--stdin-name", "piped", "--vault-password-file", pw)).Ok();
        Assert.Equal("from stdin", AnsibleVaultYaml.Load(s.Out, VaultPassword.FromString(Secret))!["piped"]!.GetValue<string>());
    }

    [Fact]
    public async Task StdinToStdout()
    {
        using var dir = new TempDir();
        var pw = dir.Write("pw", Secret);
        var enc = (await Tool.McgAsync(dir.Path, null, "piped data\n"u8.ToArray(), "vault", "encrypt", "--vault-password-file", pw)).Ok();
        Assert.StartsWith("$ANSIBLE_VAULT;1.1;AES256\n", enc.Out);
        var dec = (await Tool.McgAsync(dir.Path, null, enc.OutBytes, "vault", "decrypt", "-", "--vault-password-file", pw)).Ok();
        Assert.Equal("piped data\n", dec.Out);
    }

    [Fact]
    public async Task WithoutAPasswordSourceAndNoTerminalItFailsClearly()
    {
        using var dir = new TempDir();
        var file = dir.Write("f.yml", "x: 1\n");
        var r = await Tool.McgAsync(dir.Path, null, null, "vault", "encrypt", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("standard input is not a terminal", r.Err);
        Assert.Equal("x: 1\n", File.ReadAllText(file));
        Assert.Equal(Encoding.UTF8.GetBytes("x: 1\n"), File.ReadAllBytes(file));
    }
}
