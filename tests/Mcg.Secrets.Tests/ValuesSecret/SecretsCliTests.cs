using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.ValuesSecret;

/// <summary><c>mcg secrets load</c> run as a process against the recording fake Vault.</summary>
public sealed class SecretsCliTests : IDisposable
{
    private readonly FakeVault vault = new("cli-token");
    private readonly TempDir home = new();
    private readonly TempDir patterns = new();

    public void Dispose()
    {
        vault.Dispose();
        home.Dispose();
        patterns.Dispose();
    }

    private Dictionary<string, string?> Env(Dictionary<string, string?>? extra = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = home.Path,
            ["VAULT_ADDR"] = vault.Address,
            ["VAULT_TOKEN"] = "cli-token",
            ["VAULT_CACERT"] = null,
        };
        foreach (var (k, v) in extra ?? [])
        {
            env[k] = v;
        }
        return env;
    }

    [Fact]
    public async Task LoadsTheUpstreamTemplateFromThePatternDirectoryAndKeepsGeneratedSecretsOnReload()
    {
        var patternDir = Path.Combine(patterns.Path, "multicloud-gitops");
        Directory.CreateDirectory(patternDir);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "ValuesSecret", "Fixtures", "multicloud-gitops", "values-secret.yaml.template"),
            Path.Combine(patternDir, "values-secret.yaml.template"));

        var r = (await Tool.McgAsync(patternDir, Env(), null, "secrets", "load")).Ok();
        Assert.Contains($"Using {patternDir}/values-secret.yaml.template to parse secrets", r.Err);
        Assert.Contains("password policy validatedPatternDefaultPolicy: written", r.Out);
        Assert.Contains("secret/global/config-demo: created (generated: secret)", r.Out);
        var generated = vault.Kv["secret/global/config-demo"][^1]["secret"]!.GetValue<string>();

        var again = (await Tool.McgAsync(patternDir, Env(), null, "secrets", "load", "--pattern-dir", patternDir)).Ok();
        Assert.Contains("secret/global/config-demo: unchanged (kept: secret)", again.Out);
        Assert.Equal(generated, vault.Kv["secret/global/config-demo"][^1]["secret"]!.GetValue<string>());
        Assert.Single(vault.Kv["secret/global/config-demo"]);
    }

    [Fact]
    public async Task HomeDirectoryFileWinsOverTheTemplateAndOptionsOverrideTheEnvironment()
    {
        var patternDir = Path.Combine(patterns.Path, "my-pattern");
        Directory.CreateDirectory(patternDir);
        File.WriteAllText(Path.Combine(patternDir, "values-secret.yaml.template"), "version: \"2.0\"\nsecrets:\n- name: template\n  fields:\n  - {name: a, value: b}\n");
        home.Write(".config/validated-patterns/values-secret-my-pattern.yaml", "version: \"2.0\"\nsecrets:\n- name: mine\n  fields:\n  - {name: a, value: b}\n");
        var tokenFile = home.Write("token", "cli-token\n");
        var env = Env(new() { ["VAULT_ADDR"] = "http://127.0.0.1:1", ["VAULT_TOKEN"] = "wrong" });
        (await Tool.McgAsync(patternDir, env, null, "secrets", "load", "--vault-addr", vault.Address, "--vault-token-file", tokenFile)).Ok();
        Assert.True(vault.Kv.ContainsKey("secret/hub/mine"));
        Assert.False(vault.Kv.ContainsKey("secret/hub/template"));
    }

    [Fact]
    public async Task EncryptedValuesFileWithPasswordFile()
    {
        var pw = home.Write("vault-pass", "file-pass\n");
        var values = home.Write("values-secret.yaml", "version: \"2.0\"\nsecrets:\n- name: db\n  vaultPrefixes: [global]\n  fields:\n  - {name: password, value: s3cr3t, base64: true}\n");
        (await Tool.AnsibleVaultAsync(home.Path, "encrypt", "--vault-password-file", pw, values)).Ok();
        var r = (await Tool.McgAsync(home.Path, Env(), null, "secrets", "load", values, "--vault-password-file", pw)).Ok();
        Assert.Contains("secret/global/db: created", r.Out);
        Assert.Equal("czNjcjN0", vault.Kv["secret/global/db"][^1]["password"]!.GetValue<string>());

        var wrong = home.Write("wrong", "nope");
        var bad = await Tool.McgAsync(home.Path, Env(new() { ["ANSIBLE_VAULT_PASSWORD_FILE"] = wrong }), null, "secrets", "load", values);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Decryption failed (no vault secrets were found that could decrypt)", bad.Err);
    }

    [Fact]
    public async Task ValidationErrorsAreAllPrintedAndNothingIsSent()
    {
        var values = home.Write("values.yaml", "version: \"2.0\"\nsecrets:\n- name: a\n  fields:\n  - {name: x, onMissingValue: generate}\n- name: b\n  fields:\n  - {name: y, path: ~/missing}\n");
        var r = await Tool.McgAsync(home.Path, Env(), null, "secrets", "load", values);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("2 errors in the values-secret file:", r.Err);
        Assert.Contains($"{values}:5: secret \"a\" field \"x\": onMissingValue is 'generate' but no vaultPolicy is set", r.Err);
        Assert.Contains($"{values}:8: secret \"b\" field \"y\": Field has non-existing path: ~/missing", r.Err);
        Assert.Empty(vault.Snapshot());
    }

    [Fact]
    public async Task DryRunPrintsThePlanWithoutValues()
    {
        var values = home.Write("values.yaml", "version: \"2.0\"\nsecrets:\n- name: a\n  vaultPrefixes: [global, hub]\n  fields:\n  - {name: pw, value: topsecret}\n  - {name: gen, onMissingValue: generate, vaultPolicy: validatedPatternDefaultPolicy, override: true}\n");
        var r = (await Tool.McgAsync(home.Path, Env(), null, "secrets", "load", values, "--dry-run")).Ok();
        Assert.Contains("secret/global/a\n  pw: value\n  gen: generate with policy validatedPatternDefaultPolicy, override\n", r.Out);
        Assert.Contains("secret/hub/a", r.Out);
        Assert.DoesNotContain("topsecret", r.Out + r.Err);
        Assert.Empty(vault.Snapshot());
        Assert.False(AnsibleVaultFile.IsEncryptedFile(values));
    }
}
