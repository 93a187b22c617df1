using Mcg.Cli.Install;
using Mcg.Secrets.AnsibleVault;

namespace Mcg.EndToEnd.Tests;

/// <summary>How <c>mcg install --vault-token-file</c> reads the token, and how it says what is wrong with the file.</summary>
public sealed class ExternalVaultTokenFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-token-file-").FullName;
    private static readonly Func<string, VaultPassword> Right = _ => VaultPassword.FromString("pw");

    [Theory]
    [InlineData("hvs.plain\n", "hvs.plain")]
    [InlineData("  hvs.padded  \r\n", "hvs.padded")]
    [InlineData("""{"unseal_keys_hex": ["aa"], "root_token": "hvs.from-init"}""", "hvs.from-init")]
    [InlineData("""{"token": "hvs.json"}""", "hvs.json")]
    public void ReadsPlainTokensAndInitAnswers(string content, string token)
    {
        Assert.Equal(token, ExternalVault.ReadToken(Write("t", content), null));
    }

    [Fact]
    public void DecryptsAnAnsibleVaultFileWithThePassword()
    {
        var file = Write("enc", AnsibleVaultCipher.Encrypt("hvs.secret\n", VaultPassword.FromString("pw")));
        Assert.Equal("hvs.secret", ExternalVault.ReadToken(file, Right));

        var wrong = Assert.Throws<InstallException>(() => ExternalVault.ReadToken(file, _ => VaultPassword.FromString("nope")));
        Assert.StartsWith($"--vault-token-file {file}: Decryption failed", wrong.Message);
        Assert.Contains("--vault-password-file", wrong.Message);
        Assert.Contains("--vault-password-file", Assert.Throws<InstallException>(() => ExternalVault.ReadToken(file, null)).Message);
    }

    [Theory]
    [InlineData("", "found nothing")]
    [InlineData("hvs.a hvs.b", "found several words")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("""{"keys": []}""", "without root_token or token")]
    public void NamesTheFileAndWhatIsWrong(string content, string message)
    {
        var file = Write("bad", content);
        var e = Assert.Throws<InstallException>(() => ExternalVault.ReadToken(file, Right));
        Assert.StartsWith($"--vault-token-file {file}: ", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Contains("no such file", Assert.Throws<InstallException>(() => ExternalVault.ReadToken(Path.Combine(_dir, "missing"), Right)).Message);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
