using System.Text;
using Mcg.Secrets.Tests.Support;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Secrets.Tests.ValuesSecret;

public sealed class ValuesSecretParserTests : IDisposable
{
    private readonly TempDir home = new();
    private readonly TempDir work = new();

    public void Dispose()
    {
        home.Dispose();
        work.Dispose();
    }

    private ValuesSecretOptions Options(ISecretPrompter? prompter = null) =>
        new() { HomeDirectory = home.Path, WorkingDirectory = work.Path, Prompter = prompter };

    private SecretsPlan Parse(string yaml, ISecretPrompter? prompter = null) => ValuesSecretParser.Parse(yaml, "values-secret.yaml", Options(prompter));

    private ValuesSecretValidationException Invalid(string yaml, ISecretPrompter? prompter = null) =>
        Assert.Throws<ValuesSecretValidationException>(() => Parse(yaml, prompter));

    private static string Fixture(string pattern) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ValuesSecret", "Fixtures", pattern, "values-secret.yaml.template"));

    [Theory]
    [InlineData("multicloud-gitops")]
    [InlineData("rh-multicloud-gitops-pxe")]
    public void ParsesTheUpstreamTemplates(string pattern)
    {
        var plan = ValuesSecretParser.Parse(Fixture(pattern), "values-secret.yaml.template", Options());
        Assert.Equal("2.0", plan.FormatVersion);
        Assert.Empty(plan.Warnings);
        var policy = Assert.Single(plan.PasswordPolicies);
        Assert.Equal(PasswordPolicies.DefaultPolicyName, policy.Name);
        Assert.Contains("length=20", policy.Hcl);
        var secret = Assert.Single(plan.Secrets);
        Assert.Equal(("config-demo", "secret", "global/config-demo"), (secret.Name, secret.Mount, secret.Path));
        var field = Assert.Single(secret.Fields);
        Assert.Equal(new PlannedField("secret", FieldSource.Generate, null, PasswordPolicies.DefaultPolicyName, false, false), field);
    }

    [Fact]
    public void DefaultsAreMountSecretAndPrefixHub()
    {
        var plan = Parse("version: \"2.0\"\nsecrets:\n- name: aws\n  fields:\n  - name: key\n    value: abc\n");
        var s = Assert.Single(plan.Secrets);
        Assert.Equal(("secret", "hub/aws"), (s.Mount, s.Path));
        Assert.Equal("abc", s.Fields[0].Value);
    }

    [Fact]
    public void UnquotedVersion20IsAFloatLikeInPython()
    {
        Assert.Equal("2.0", Parse("version: 2.0\nsecrets:\n- name: a\n  fields:\n  - {name: f, value: v}\n").FormatVersion);
        Assert.Contains("Version 2 is currently not supported", Invalid("version: 2\nsecrets: []\n").Message);
        Assert.Contains("Version 3.0 is currently not supported", Invalid("version: '3.0'\n").Message);
    }

    [Fact]
    public void EachPrefixAndCustomMountGetsItsOwnPath()
    {
        var plan = Parse("""
            version: "2.0"
            secrets:
            - name: db
              vaultMount: kv/
              vaultPrefixes: [global, region-one, snowflake.blueprints.rhecoeng.com]
              fields:
              - {name: user, value: admin}
            """);
        Assert.Equal(["global/db", "region-one/db", "snowflake.blueprints.rhecoeng.com/db"], plan.Secrets.Select(s => s.Path));
        Assert.All(plan.Secrets, s => Assert.Equal("kv", s.Mount));
    }

    [Fact]
    public void ValueFieldsGoThroughPythonUnicodeEscapeAndBase64()
    {
        var plan = Parse("""
            version: "2.0"
            secrets:
            - name: app
              fields:
              - name: multiline
                value: 'line1\nline2\ttab \\ backslash \x41 ü'
              - name: plain
                value: "p@ss:w0rd#1"
              - name: encoded
                value: hello
                base64: true
              - name: number
                value: 0123
            """);
        var f = plan.Secrets[0].Fields.ToDictionary(x => x.Name);
        Assert.Equal("line1\nline2\ttab \\ backslash A ü", f["multiline"].Value);
        Assert.Equal("p@ss:w0rd#1", f["plain"].Value);
        Assert.Equal(("aGVsbG8=", true), (f["encoded"].Value, f["encoded"].Base64));
        Assert.Equal("0123", f["number"].Value);
    }

    [Fact]
    public void PathFieldsExpandTildeAndReadRawBytes()
    {
        File.WriteAllText(Path.Combine(home.Path, "ca.crt"), "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n");
        File.WriteAllBytes(Path.Combine(home.Path, "blob.bin"), [0xff, 0x00, 0x10]);
        work.Write("relative.txt", "relative content\n");
        var plan = Parse("""
            version: "2.0"
            secrets:
            - name: certs
              fields:
              - {name: ca_crt, path: ~/ca.crt}
              - {name: ca_b64, path: ~/ca.crt, base64: true}
              - {name: blob, path: ~/blob.bin, base64: true}
              - {name: rel, path: relative.txt}
            """);
        var f = plan.Secrets[0].Fields.ToDictionary(x => x.Name);
        Assert.Equal("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n", f["ca_crt"].Value);
        Assert.Equal((FieldSource.File, "~/ca.crt"), (f["ca_crt"].Source, f["ca_crt"].Origin));
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n")), f["ca_b64"].Value);
        Assert.Equal("/wAQ", f["blob"].Value);
        Assert.Equal("relative content\n", f["rel"].Value);
    }

    [Fact]
    public void BinaryFileWithoutBase64IsAnError()
    {
        File.WriteAllBytes(Path.Combine(home.Path, "blob.bin"), [0xff, 0xfe, 0x00]);
        var e = Invalid("version: \"2.0\"\nsecrets:\n- name: s\n  fields:\n  - {name: b, path: ~/blob.bin}\n");
        Assert.Contains("secret \"s\" field \"b\": path ~/blob.bin is not UTF-8 text; set base64: true", e.Message);
    }

    [Fact]
    public void IniFileFieldsReadLikeConfigParser()
    {
        Directory.CreateDirectory(Path.Combine(home.Path, ".aws"));
        File.WriteAllText(Path.Combine(home.Path, ".aws", "credentials"), """
            # AWS credentials
            [DEFAULT]
            region = us-east-1

            [default]
            aws_access_key_id = AKIAEXAMPLE
            AWS_Secret_Access_Key: wJalr/XUtnFEMI+K7MDENG
            combined = %(aws_access_key_id)s-%(region)s-100%%

            [prod]
            aws_access_key_id=AKIAPROD
            """);
        var plan = Parse("""
            version: "2.0"
            secrets:
            - name: aws
              fields:
              - {name: aws_access_key_id, ini_file: ~/.aws/credentials, ini_section: default, ini_key: aws_access_key_id}
              - {name: aws_secret_access_key, ini_file: ~/.aws/credentials, ini_key: aws_secret_access_key}
              - {name: prod_key, ini_file: ~/.aws/credentials, ini_section: prod, ini_key: aws_access_key_id, base64: true}
              - {name: region, ini_file: ~/.aws/credentials, ini_section: prod, ini_key: region}
              - {name: combined, ini_file: ~/.aws/credentials, ini_key: combined}
            """);
        var f = plan.Secrets[0].Fields.ToDictionary(x => x.Name);
        Assert.Equal("AKIAEXAMPLE", f["aws_access_key_id"].Value);
        Assert.Equal("wJalr/XUtnFEMI+K7MDENG", f["aws_secret_access_key"].Value);
        Assert.Equal(Convert.ToBase64String("AKIAPROD"u8.ToArray()), f["prod_key"].Value);
        Assert.Equal("us-east-1", f["region"].Value);
        Assert.Equal("AKIAEXAMPLE-us-east-1-100%", f["combined"].Value);
        Assert.Equal((FieldSource.Ini, "~/.aws/credentials [prod] aws_access_key_id"), (f["prod_key"].Source, f["prod_key"].Origin));
    }

    [Fact]
    public void MissingIniKeysAndSectionsAreErrors()
    {
        File.WriteAllText(Path.Combine(home.Path, "creds"), "[default]\na = 1\n");
        var e = Invalid("""
            version: "2.0"
            secrets:
            - name: aws
              fields:
              - {name: k1, ini_file: ~/creds, ini_key: missing}
              - {name: k2, ini_file: ~/creds, ini_section: nope, ini_key: a}
              - {name: k3, ini_file: ~/creds}
            """);
        Assert.Equal(3, e.Errors.Count);
        Assert.Contains(e.Errors, x => x.Field == "k1" && x.Message == "ini_file ~/creds has no key missing in section [default]");
        Assert.Contains(e.Errors, x => x.Field == "k2" && x.Message == "ini_file ~/creds has no section [nope]");
        Assert.Contains(e.Errors, x => x.Field == "k3" && x.Message == "ini_file requires at least ini_key to be defined");
    }

    [Fact]
    public void GenerateFieldsCarryPolicyOverrideAndBase64()
    {
        var plan = Parse("""
            version: "2.0"
            vaultPolicies:
              basicPolicy: |
                length=10
                rule "charset" { charset = "abcdefghijklmnopqrstuvwxyz" min-chars = 1 }
            secrets:
            - name: config-demo
              fields:
              - {name: secret, onMissingValue: generate, vaultPolicy: basicPolicy, override: true}
              - {name: secret64, onMissingValue: generate, vaultPolicy: validatedPatternDefaultPolicy, base64: yes}
              - {name: nulled, onMissingValue: generate, vaultPolicy: basicPolicy, value: null}
            """);
        Assert.Equal([PasswordPolicies.DefaultPolicyName, "basicPolicy"], plan.PasswordPolicies.Select(p => p.Name));
        Assert.Equal("length=10\nrule \"charset\" { charset = \"abcdefghijklmnopqrstuvwxyz\" min-chars = 1 }\n", plan.PasswordPolicies[1].Hcl);
        var f = plan.Secrets[0].Fields;
        Assert.Equal(new PlannedField("secret", FieldSource.Generate, null, "basicPolicy", false, true), f[0]);
        Assert.Equal(new PlannedField("secret64", FieldSource.Generate, null, PasswordPolicies.DefaultPolicyName, true, false), f[1]);
        Assert.Equal(FieldSource.Generate, f[2].Source);
    }

    [Fact]
    public void PromptFieldsAskAndFallBackToTheDefault()
    {
        File.WriteAllText(Path.Combine(home.Path, "ca.crt"), "CA");
        File.WriteAllText(Path.Combine(home.Path, "other.crt"), "OTHER");
        var prompter = new ScriptedPrompter("typed-secret", "", "", "~/other.crt");
        var plan = Parse("""
            version: "2.0"
            secrets:
            - name: app
              fields:
              - {name: p1, value: null, onMissingValue: prompt, description: "API key"}
              - {name: p2, value: defaultvalue, onMissingValue: prompt, base64: true}
              - {name: p3, path: ~/ca.crt, onMissingValue: prompt}
              - {name: p4, path: null, onMissingValue: prompt, prompt: "Where is the CA?"}
            """, prompter);
        var f = plan.Secrets[0].Fields.ToDictionary(x => x.Name);
        Assert.Equal(("typed-secret", FieldSource.Prompt), (f["p1"].Value, f["p1"].Source));
        Assert.Equal(Convert.ToBase64String("defaultvalue"u8.ToArray()), f["p2"].Value);
        Assert.Equal(("CA", FieldSource.File), (f["p3"].Value, f["p3"].Source));
        Assert.Equal("OTHER", f["p4"].Value);
        Assert.Equal(["secret:API key: ", "secret:Type secret for app/p2 [defaultvalue]: ", "path:Type path for file app/p3 [~/ca.crt]: ", "path:Where is the CA? []: "],
            prompter.Asked);
    }

    [Fact]
    public void PromptFieldsWithoutATerminalAreErrorsAndNothingIsAskedWhenTheFileIsInvalid()
    {
        var e = Invalid("version: \"2.0\"\nsecrets:\n- name: app\n  fields:\n  - {name: p1, value: null, onMissingValue: prompt}\n");
        Assert.Equal("onMissingValue: prompt needs an interactive terminal", Assert.Single(e.Errors).Message);

        var prompter = new ScriptedPrompter("x");
        Invalid("version: \"2.0\"\nsecrets:\n- name: app\n  fields:\n  - {name: p1, value: null, onMissingValue: prompt}\n  - {name: bad}\n", prompter);
        Assert.Empty(prompter.Asked);
    }

    [Fact]
    public void CollectsEveryErrorWithFileLineSecretAndField()
    {
        var e = Invalid("""
            version: "2.0"
            backingStore: kubernetes
            vaultPolicies:
              basic: "length=10"
            secrets:
              - name: config-demo
                vaultPrefixes: []
                fields:
                - name: secret
                  onMissingValue: generate
              - name: aws
                fields:
                - name: key
                  path: ~/missing.txt
                - name: key
                  value: v
                  override: true
                - name: mode
                  onMissingValue: sometimes
                  value: x
                - name: both
                  value: a
                  ini_file: ~/x
                  ini_key: k
                - name: gen
                  onMissingValue: generate
                  vaultPolicy: nosuchpolicy
                - name: genval
                  onMissingValue: generate
                  vaultPolicy: basic
                  value: fixed
                - name: empty
                - name: flag
                  value: x
                  base64: "maybe"
              - name: config-demo
                fields: []
              - name: nofields
              - fields:
                - {name: orphan, value: x}
            """);
        string[] expected =
        [
            "values-secret.yaml:2: backingStore \"kubernetes\" is not supported: secrets are loaded into Vault (backingStore: vault)",
            "values-secret.yaml:7: secret \"config-demo\": has empty vaultPrefixes",
            "values-secret.yaml:9: secret \"config-demo\" field \"secret\": onMissingValue is 'generate' but no vaultPolicy is set (e.g. vaultPolicy: validatedPatternDefaultPolicy)",
            "values-secret.yaml:14: secret \"aws\" field \"key\": Field has non-existing path: ~/missing.txt",
            "values-secret.yaml:15: secret \"aws\" field \"key\": You cannot have duplicate field names: key",
            "values-secret.yaml:17: secret \"aws\" field \"key\": 'override' attribute requires 'onMissingValue' to be set to 'generate'",
            "values-secret.yaml:19: secret \"aws\" field \"mode\": onMissingValue: sometimes is invalid (error, generate or prompt)",
            "values-secret.yaml:21: secret \"aws\" field \"both\": Both 'value' and 'ini_file' cannot be used in field both",
            "values-secret.yaml:23: secret \"aws\" field \"both\": Field has non-existing ini_file: ~/x",
            "values-secret.yaml:27: secret \"aws\" field \"gen\": vaultPolicy is set to nosuchpolicy but no such policy exists (defined: validatedPatternDefaultPolicy, basic)",
            "values-secret.yaml:28: secret \"aws\" field \"genval\": onMissingValue is 'generate' but a value is set",
            "values-secret.yaml:32: secret \"aws\" field \"empty\": onMissingValue is 'error' and none of value, path or ini_file is set",
            "values-secret.yaml:35: secret \"aws\" field \"flag\": base64 must be true or false",
            "values-secret.yaml:36: secret \"config-demo\": You cannot have duplicate secret names: config-demo",
            "values-secret.yaml:37: secret \"config-demo\": does not have any fields",
            "values-secret.yaml:38: secret \"nofields\": does not have any fields",
            "values-secret.yaml:39: secrets[4] is missing name",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), e.Errors.Select(x => x.ToString()).Order(StringComparer.Ordinal));
        Assert.StartsWith("17 errors in the values-secret file:\n  values-secret.yaml:", e.Message);
    }

    [Fact]
    public void UnknownKeysAreWarningsAndBootstrapOnlySecretsAreSkipped()
    {
        var plan = Parse("""
            version: "2.0"
            secretStoreNamespace: validated-patterns-secrets
            extra: 1
            secrets:
            - name: a
              targetNamespaces: [ns]
              colour: blue
              fields:
              - {name: f, value: v, onMisingValue: generate}
            - name: early
              bootstrap: only
              fields:
              - {name: f, value: v}
            """);
        Assert.Equal(["hub/a"], plan.Secrets.Select(s => s.Path));
        Assert.Equal(4, plan.Warnings.Count);
        Assert.Contains(plan.Warnings, w => w.Contains("unknown top-level key \"extra\""));
        Assert.Contains(plan.Warnings, w => w.Contains("secret \"a\": unknown key \"colour\""));
        Assert.Contains(plan.Warnings, w => w.Contains("field \"f\": unknown key \"onMisingValue\""));
        Assert.Contains(plan.Warnings, w => w.Contains("secret \"early\": bootstrap-only secret skipped"));
    }

    [Fact]
    public void NoSecretsIsAWarningAndAnEmptyPlan()
    {
        var plan = Parse("version: \"2.0\"\nsecrets:\n");
        Assert.Empty(plan.Secrets);
        Assert.Empty(plan.PasswordPolicies);
        Assert.Contains("No secrets found", Assert.Single(plan.Warnings));
    }

    [Fact]
    public void InvalidYamlIsReportedWithItsLine()
    {
        var e = Invalid("version: \"2.0\"\nsecrets:\n  - name: [unclosed\n");
        Assert.StartsWith("values-secret.yaml:", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void V1SecretsFilesPrefixesAndS3Secret()
    {
        File.WriteAllText(Path.Combine(home.Path, "ca.crt"), "CERT\n");
        var plan = Parse("""
            ---
            secrets:
              test:
                secret1: foo
                secret2: 42
              aws:
                s3.accessKey: "1234"
                s3.secretKey: "4321"
            files:
              testfoo: ~/ca.crt
            secrets.region1:
              test:
                secret1: foo1
            files.region2:
              testbar: ~/ca.crt
            """);
        Assert.Equal("1.0", plan.FormatVersion);
        Assert.Empty(plan.PasswordPolicies);
        Assert.Equal(["hub/test", "hub/aws", "region1/test", "hub/testfoo", "region2/testbar"], plan.Secrets.Select(s => s.Path));
        Assert.All(plan.Secrets, s => Assert.Equal("secret", s.Mount));
        Assert.Equal([("secret1", "foo"), ("secret2", "42")], plan.Secrets[0].Fields.Select(f => (f.Name, f.Value!)));
        var s3 = plan.Secrets[1].Fields.Single(f => f.Name == "s3Secret");
        Assert.Equal("czMuYWNjZXNzS2V5OiAxMjM0CnMzLnNlY3JldEtleTogNDMyMQ==", s3.Value);
        Assert.Equal([("b64content", "Q0VSVAo="), ("content", "CERT\n")], plan.Secrets[3].Fields.Select(f => (f.Name, f.Value!)));
    }

    [Fact]
    public void V1Errors()
    {
        Assert.Contains("does not contain 'secrets' or 'files' keys", Invalid("secrets.region1:\n  a: {b: c}\n").Message);
        Assert.Contains("Neither 'secrets' nor 'files' have any secrets to be parsed", Invalid("secrets:\nfiles: {}\n").Message);
        Assert.Contains("Neither 'secrets' nor 'files' can be lists", Invalid("secrets: [a]\n").Message);
        var e = Invalid("secrets:\n  a: just-a-string\n  b: {k: [1]}\nfiles:\n  f: ~/nope\nsecretsfoo:\n  x: {y: z}\n");
        Assert.Equal(4, e.Errors.Count);
        Assert.Contains(e.Errors, x => x.Secret == "a" && x.Message.Contains("needs to point to a dictionary"));
        Assert.Contains(e.Errors, x => x.Secret == "b" && x.Field == "k");
        Assert.Contains(e.Errors, x => x.Secret == "f" && x.Message == "File ~/nope does not exist");
        Assert.Contains(e.Errors, x => x.Message == "values-secrets.yaml key is non-conformant: secretsfoo");
    }

    private sealed class ScriptedPrompter(params string[] answers) : ISecretPrompter
    {
        private int next;

        public List<string> Asked { get; } = [];

        public string ReadSecret(string prompt)
        {
            Asked.Add("secret:" + prompt);
            return answers[next++];
        }

        public string ReadPath(string prompt)
        {
            Asked.Add("path:" + prompt);
            return answers[next++];
        }
    }
}
