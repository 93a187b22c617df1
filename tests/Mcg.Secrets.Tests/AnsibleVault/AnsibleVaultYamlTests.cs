using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Secrets.AnsibleVault;

namespace Mcg.Secrets.Tests.AnsibleVault;

public class AnsibleVaultYamlTests
{
    private static readonly VaultPassword Password = VaultPassword.FromString(Vectors.Password);

    [Fact]
    public void DecryptsAnsiblesInlineVectorAndKeepsTheRestOfTheDocument()
    {
        var result = AnsibleVaultYaml.Decrypt(Vectors.InlinePlaybook, Password);
        var expected = """
            - hosts: localhost
              vars:
                vaulted_value: "foo bar"
              tasks:
                - debug:
                    msg: "{{ vaulted_value }}"

            """;
        Assert.Equal(expected, result);
    }

    [Fact]
    public void ReplacesEveryVaultScalarInMapsAndSequencesKeepingAnchorsAndComments()
    {
        var pw = VaultPassword.FromString("s3cret");
        var multi = "line one\nsays \"hi\" \\ there\ttab\n";
        var yaml = "# top comment\n"
            + AnsibleVaultYaml.EncryptString("plain", pw, "a") + "\n"
            + "b: &anchor " + AnsibleVaultYaml.EncryptString(multi, pw).Replace("\n          ", "\n  ") + "\n"
            + "c: *anchor   # alias\n"
            + "list:\n- " + AnsibleVaultYaml.EncryptString("in a list", pw).Replace("!vault", "!vault-encrypted").Replace("\n          ", "\n    ") + "\n"
            + "- untouched\n"
            + "unicode: " + AnsibleVaultYaml.EncryptString("héllo ✓", pw, vaultId: "dev").Replace("\n          ", "\n    ") + "\n";
        var decrypted = AnsibleVaultYaml.Decrypt(yaml, pw);
        Assert.StartsWith("# top comment\na: \"plain\"\nb: &anchor \"line one\\n", decrypted);
        Assert.Contains("c: *anchor   # alias\n", decrypted);
        Assert.DoesNotContain("$ANSIBLE_VAULT", decrypted);
        var node = YamlJson.Parse(decrypted)!;
        Assert.Equal("plain", node["a"]!.GetValue<string>());
        Assert.Equal(multi, node["b"]!.GetValue<string>());
        Assert.Equal("in a list", node["list"]![0]!.GetValue<string>());
        Assert.Equal("untouched", node["list"]![1]!.GetValue<string>());
        Assert.Equal("héllo ✓", node["unicode"]!.GetValue<string>());
    }

    [Fact]
    public void LoadReturnsJsonWithDecryptedStrings()
    {
        var yaml = "port: 8080\n" + AnsibleVaultYaml.EncryptString("12345", Password, "pin") + "\n";
        var node = AnsibleVaultYaml.Load(yaml, Password)!;
        Assert.Equal(8080, node["port"]!.GetValue<long>());
        Assert.Equal("12345", node["pin"]!.GetValue<string>());
        Assert.Throws<AnsibleVaultException>(() => AnsibleVaultYaml.Load(yaml, null));
        Assert.Equal(JsonValue.Create(1L)!.ToJsonString(), AnsibleVaultYaml.Load("x: 1", null)!["x"]!.ToJsonString());
    }

    [Fact]
    public void YamlWithoutVaultValuesIsReturnedUnchanged()
    {
        const string yaml = "a: 1 # vault\nb: '!vault'\n";
        Assert.Same(yaml, AnsibleVaultYaml.Decrypt(yaml, Password));
        Assert.False(AnsibleVaultYaml.ContainsVaultValues(yaml));
    }

    [Fact]
    public void WrongPasswordNamesTheLine()
    {
        var e = Assert.Throws<AnsibleVaultDecryptionException>(() => AnsibleVaultYaml.Decrypt(Vectors.InlinePlaybook, VaultPassword.FromString("bad"), "play.yml"));
        Assert.Equal("Decryption failed (no vault secrets were found that could decrypt) on play.yml: line 3", e.Message);
    }

    [Fact]
    public void VaultTagOnNonVaultTextIsAFormatError()
    {
        Assert.Throws<AnsibleVaultFormatException>(() => AnsibleVaultYaml.Decrypt("a: !vault hello\n", Password));
        Assert.Throws<AnsibleVaultFormatException>(() => AnsibleVaultYaml.Decrypt("a: !vault {b: 1}\n", Password));
    }

    [Fact]
    public void EncryptStringFormatMatchesAnsible()
    {
        var text = AnsibleVaultYaml.EncryptString("v", Password, "my_var");
        var lines = text.Split('\n');
        Assert.Equal("my_var: !vault |", lines[0]);
        Assert.Equal("          $ANSIBLE_VAULT;1.1;AES256", lines[1]);
        Assert.All(lines.Skip(2), l => Assert.Matches("^ {10}[0-9a-f]{1,80}$", l));
        Assert.False(text.EndsWith('\n'));
        Assert.StartsWith("!vault |\n", AnsibleVaultYaml.EncryptString("v", Password));
    }
}
