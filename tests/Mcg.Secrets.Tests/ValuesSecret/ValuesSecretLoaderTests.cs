using Mcg.Secrets.AnsibleVault;
using Mcg.Secrets.Tests.Support;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Secrets.Tests.ValuesSecret;

public sealed class ValuesSecretLoaderTests : IDisposable
{
    private const string Values = """
        version: "2.0"
        vaultPolicies:
          basicPolicy: |
            length=10
        secrets:
          - name: config-demo
            vaultPrefixes: [global, hub]
            fields:
            - name: secret
              onMissingValue: generate
              vaultPolicy: validatedPatternDefaultPolicy
            - name: rotating
              onMissingValue: generate
              vaultPolicy: basicPolicy
              override: true
            - name: encoded
              onMissingValue: generate
              vaultPolicy: basicPolicy
              base64: true
            - name: user
              value: admin
        """;

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private ValuesSecretOptions Options => new() { HomeDirectory = dir.Path, WorkingDirectory = dir.Path };

    private SecretsPlan Plan(string yaml = Values) => ValuesSecretParser.Parse(yaml, "values-secret.yaml", Options);

    [Fact]
    public async Task WritesPoliciesFirstThenReadsThenWrites()
    {
        var writer = new MemorySecretWriter();
        var result = await ValuesSecretLoader.ApplyAsync(Plan(), writer);
        Assert.Equal(["policy validatedPatternDefaultPolicy", "policy basicPolicy"], writer.Calls.Take(2));
        Assert.Equal(["read secret/global/config-demo", "read secret/hub/config-demo"], writer.Calls.Skip(2).Take(2));
        Assert.Equal(["write secret/global/config-demo", "write secret/hub/config-demo"], writer.Calls.TakeLast(2));
        Assert.Equal("length=10\n", writer.Policies["basicPolicy"]);
        Assert.Equal(PasswordPolicies.DefaultPolicyHcl, writer.Policies[PasswordPolicies.DefaultPolicyName]);

        var global = writer["secret/global/config-demo"]!;
        var hub = writer["secret/hub/config-demo"]!;
        Assert.Equal(["secret", "rotating", "encoded", "user"], global.Keys);
        Assert.Equal("admin", global["user"]);
        Assert.StartsWith("gen-validatedPatternDefaultPolicy-", global["secret"]);
        Assert.StartsWith("gen-basicPolicy-", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(global["encoded"])));
        // Like upstream, every prefix gets its own generated password.
        Assert.NotEqual(global["secret"], hub["secret"]);
        Assert.All(result.Secrets, s => Assert.Equal(SecretWriteStatus.Created, s.Status));
        Assert.Equal(["secret", "rotating", "encoded"], result.Secrets[0].Generated);
    }

    [Fact]
    public async Task ReloadKeepsGeneratedValuesUnlessOverride()
    {
        var writer = new MemorySecretWriter();
        var plan = Plan();
        await ValuesSecretLoader.ApplyAsync(plan, writer);
        var first = new Dictionary<string, string>(writer["secret/global/config-demo"]!);

        var result = await ValuesSecretLoader.ApplyAsync(plan, writer);
        var second = writer["secret/global/config-demo"]!;
        Assert.Equal(first["secret"], second["secret"]);
        Assert.Equal(first["encoded"], second["encoded"]);
        Assert.NotEqual(first["rotating"], second["rotating"]);
        Assert.Equal(["rotating"], result.Secrets[0].Generated);
        Assert.Equal(["secret", "encoded"], result.Secrets[0].Kept);
        Assert.Equal(SecretWriteStatus.Updated, result.Secrets[0].Status);
    }

    [Fact]
    public async Task UnchangedPathsAreNotRewrittenAndExtraFieldsAreDropped()
    {
        var writer = new MemorySecretWriter();
        var plan = Plan("version: \"2.0\"\nsecrets:\n- name: a\n  fields:\n  - {name: pw, onMissingValue: generate, vaultPolicy: validatedPatternDefaultPolicy}\n  - {name: u, value: x}\n");
        await ValuesSecretLoader.ApplyAsync(plan, writer);
        writer.Calls.Clear();
        var again = await ValuesSecretLoader.ApplyAsync(plan, writer);
        Assert.Equal(SecretWriteStatus.Unchanged, Assert.Single(again.Secrets).Status);
        Assert.DoesNotContain(writer.Calls, c => c.StartsWith("write", StringComparison.Ordinal));

        writer.Store["secret/hub/a"]["stale"] = "old";
        var third = await ValuesSecretLoader.ApplyAsync(plan, writer);
        Assert.Equal(SecretWriteStatus.Updated, third.Secrets[0].Status);
        Assert.Equal(["pw", "u"], writer["secret/hub/a"]!.Keys);
    }

    [Fact]
    public async Task InvalidFileWritesNothing()
    {
        var path = dir.Write("values.yaml", "version: \"2.0\"\nsecrets:\n- name: a\n  fields:\n  - {name: ok, value: x}\n  - {name: bad, path: ~/missing}\n");
        var writer = new MemorySecretWriter();
        var e = await Assert.ThrowsAsync<ValuesSecretValidationException>(async () =>
            await ValuesSecretLoader.ApplyAsync(ValuesSecretLoader.ReadPlan(path, Options), writer));
        Assert.Equal(path, Assert.Single(e.Errors).File);
        Assert.Empty(writer.Calls);
    }

    [Fact]
    public async Task FailedGenerationHappensBeforeAnySecretIsWritten()
    {
        var writer = new MemorySecretWriter { Generator = p => p == "basicPolicy" ? throw new InvalidOperationException("vault down") : "pw" };
        await Assert.ThrowsAsync<InvalidOperationException>(() => ValuesSecretLoader.ApplyAsync(Plan(), writer));
        Assert.DoesNotContain(writer.Calls, c => c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V1SecretAndFileOnTheSamePathLastOneWins()
    {
        File.WriteAllText(dir.File("f.txt"), "file");
        var plan = Plan("secrets:\n  same: {k: v}\nfiles:\n  same: ~/f.txt\n");
        var writer = new MemorySecretWriter();
        var result = await ValuesSecretLoader.ApplyAsync(plan, writer);
        Assert.Equal(["b64content", "content"], writer["secret/hub/same"]!.Keys);
        Assert.Equal([SecretWriteStatus.Created, SecretWriteStatus.Updated], result.Secrets.Select(s => s.Status));
    }

    [Fact]
    public async Task EncryptedValuesFileIsDecryptedWithThePassword()
    {
        var password = VaultPassword.FromString("values-pass");
        var path = dir.Write("values-secret.yaml", "version: \"2.0\"\nsecrets:\n- name: db\n  fields:\n  - {name: password, value: \"from-encrypted\"}\n");
        AnsibleVaultFile.Encrypt(path, password);
        Assert.True(AnsibleVaultFile.IsEncryptedFile(path));

        var asked = 0;
        var plan = ValuesSecretLoader.ReadPlan(path, new ValuesSecretOptions { HomeDirectory = dir.Path, PasswordProvider = () => { asked++; return password; } });
        Assert.Equal(1, asked);
        Assert.Equal("from-encrypted", plan.Secrets[0].Fields[0].Value);

        Assert.Throws<AnsibleVaultDecryptionException>(() => ValuesSecretLoader.ReadPlan(path, new ValuesSecretOptions { PasswordProvider = () => VaultPassword.FromString("wrong") }));
        Assert.Contains("is encrypted with Ansible Vault", Assert.Throws<ValuesSecretFileException>(() => ValuesSecretLoader.ReadPlan(path, new ValuesSecretOptions())).Message);
    }

    [Fact]
    public async Task AnsibleVaultEncryptedValuesFileAndInlineValues()
    {
        var pwFile = dir.Write("pw", "ansible-pass\n");
        var inline = (await Tool.AnsibleVaultAsync(dir.Path, "encrypt_string", "--vault-password-file", pwFile, "inline-secret")).Ok().Out.Trim();
        var path = dir.Write("values-secret.yaml", $"version: \"2.0\"\nsecrets:\n- name: db\n  fields:\n  - name: password\n    value: {inline.Replace("\n", "\n    ")}\n  - name: user\n    value: admin\n");
        (await Tool.AnsibleVaultAsync(dir.Path, "encrypt", "--vault-password-file", pwFile, path)).Ok();
        var plan = ValuesSecretLoader.ReadPlan(path, new ValuesSecretOptions { PasswordProvider = () => VaultPassword.FromFile(pwFile) });
        Assert.Equal([("password", "inline-secret"), ("user", "admin")], plan.Secrets[0].Fields.Select(f => (f.Name, f.Value!)));
    }
}
