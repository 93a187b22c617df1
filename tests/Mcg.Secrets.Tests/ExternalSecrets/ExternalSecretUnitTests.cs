using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Secrets.ExternalSecrets;

namespace Mcg.Secrets.Tests.ExternalSecrets;

public sealed class ExternalSecretUnitTests
{
    private static JsonObject Object(string yaml) => (JsonObject)YamlJson.Parse(yaml)!;

    [Fact]
    public void HashesAreMd5OfGoFormatting()
    {
        // fmt.Sprintf("%+v", map[string][]byte{"foo": []byte("bar")}) == "map[foo:[98 97 114]]"
        Assert.Equal("5211b9bd4ac724a48a80e741f54ca581", GoObjectHash.OfData(new Dictionary<string, byte[]> { ["foo"] = "bar"u8.ToArray() }));
        Assert.Equal("97a15070f5f8c3bfe47678c5409471f6", GoObjectHash.OfData(new Dictionary<string, byte[]>()));
        Assert.Equal("bf6fd931a6fa7cc80e7ac6b77a9a340b", GoObjectHash.OfMeta(new Dictionary<string, string> { ["force-sync"] = "1" }, new Dictionary<string, string>()));
        // Key order does not matter (Go prints maps sorted).
        Assert.Equal(
            GoObjectHash.OfData(new Dictionary<string, byte[]> { ["a"] = [1], ["b"] = [2] }),
            GoObjectHash.OfData(new Dictionary<string, byte[]> { ["b"] = [2], ["a"] = [1] }));
    }

    [Theory]
    [InlineData("{{ .a }}", "1")]
    [InlineData("x={{.a}}-{{ .b }}", "x=1-two")]
    [InlineData("{{ index . \"with-dash\" }}", "d")]
    [InlineData("{{ .b | upper }}", "TWO")]
    [InlineData("{{ .b | b64enc | b64dec | quote }}", "\"two\"")]
    [InlineData("a  {{- .a -}}  b", "a1b")]
    [InlineData("{{ \"lit\" }}", "lit")]
    public void TemplatesSubstituteKeys(string template, string expected)
    {
        var values = new Dictionary<string, string> { ["a"] = "1", ["b"] = "two", ["with-dash"] = "d" };
        Assert.Equal(expected, SecretTemplate.Render(template, values, "k"));
    }

    [Fact]
    public void TemplateErrorsNameTheKey()
    {
        var missing = Assert.Throws<KeyNotFoundException>(() => SecretTemplate.Render("{{ .nope }}", new Dictionary<string, string>(), "conn"));
        Assert.Contains("conn", missing.Message);
        Assert.Contains("map has no entry for key \"nope\"", missing.Message);
        Assert.Throws<FormatException>(() => SecretTemplate.Render("{{ .a | frobnicate }}", new Dictionary<string, string> { ["a"] = "" }, "k"));
        Assert.Throws<FormatException>(() => SecretTemplate.Render("{{ .a", new Dictionary<string, string>(), "k"));
    }

    [Theory]
    [InlineData("secret", "v2", "secret/data/global/config-demo", "secret/data/global/config-demo")]
    [InlineData("secret", "v2", "global/config-demo", "secret/data/global/config-demo")]
    [InlineData("secret", "v2", "secret/global/config-demo", "secret/data/global/config-demo")]
    [InlineData("secret", "v1", "global/x", "secret/global/x")]
    [InlineData(null, "v2", "secret/global/x", "secret/data/global/x")]
    [InlineData(null, "v2", "secret/data/global/x", "secret/data/global/x")]
    public void KeysArePathedLikeEso(string? mount, string version, string key, string expected)
    {
        var spec = new VaultStoreSpec { Server = "https://vault", Path = mount, Version = version };
        Assert.Equal(expected, spec.ReadPath(key));
    }

    [Fact]
    public void StoreSpecParsesTheVaultProvider()
    {
        var spec = VaultStoreSpec.Parse(Object("""
            apiVersion: external-secrets.io/v1
            kind: ClusterSecretStore
            metadata: {name: vault-backend}
            spec:
              conditions:
              - namespaces: [a, b]
              provider:
                vault:
                  server: https://vault.example:8200/
                  path: secret
                  caBundle: LS0tLS1CRUdJTg==
                  auth:
                    kubernetes:
                      mountPath: east
                      role: east-role
                      serviceAccountRef: {name: golang-external-secrets, namespace: golang-external-secrets, audiences: [extra]}
            """));
        Assert.Equal("https://vault.example:8200", spec.Server);
        Assert.Equal("v2", spec.Version);
        Assert.Equal("-----BEGIN", spec.CaBundlePem);
        Assert.Equal(new VaultKubernetesAuth("east", "east-role", "golang-external-secrets", "golang-external-secrets", ["extra"], null) with { Audiences = spec.Kubernetes!.Audiences }, spec.Kubernetes);
        Assert.Equal(["a", "b"], spec.AllowedNamespaces);
    }

    [Theory]
    [InlineData("provider: {aws: {}}", "only vault is served")]
    [InlineData("provider: {vault: {server: 'ftp://x', auth: {tokenSecretRef: {name: a, key: b}}}}", "spec.provider.vault.server")]
    [InlineData("provider: {vault: {server: 'https://x', version: v3, auth: {tokenSecretRef: {name: a, key: b}}}}", "spec.provider.vault.version")]
    [InlineData("provider: {vault: {server: 'https://x', auth: {appRole: {}}}}", "spec.provider.vault.auth")]
    [InlineData("provider: {vault: {server: 'https://x', auth: {kubernetes: {mountPath: m}}}}", "spec.provider.vault.auth.kubernetes.role is required")]
    public void StoreErrorsNameTheField(string spec, string expected)
    {
        var e = Assert.Throws<EsoSpecException>(() => VaultStoreSpec.Parse(Object($"kind: SecretStore\nmetadata: {{name: s, namespace: n}}\nspec: {{{spec}}}")));
        Assert.Contains(expected, e.Message);
        Assert.Contains("SecretStore n/s", e.Message);
    }

    [Theory]
    [InlineData("target: {creationPolicy: Merge, deletionPolicy: Delete}", "spec.target.deletionPolicy")]
    [InlineData("target: {creationPolicy: None, deletionPolicy: Merge}", "spec.target.deletionPolicy")]
    [InlineData("target: {creationPolicy: Sometimes}", "spec.target.creationPolicy")]
    [InlineData("refreshInterval: soon", "spec.refreshInterval")]
    [InlineData("data: [{secretKey: k}]", "spec.data[0].remoteRef is required")]
    [InlineData("dataFrom: [{find: {}}]", "spec.dataFrom[0]")]
    public void ExternalSecretErrorsNameTheField(string extra, string expected)
    {
        var source = extra.StartsWith("data", StringComparison.Ordinal) ? "" : "dataFrom: [{extract: {key: k}}]\n  ";
        var yaml = $"kind: ExternalSecret\nmetadata: {{name: e, namespace: n}}\nspec:\n  secretStoreRef: {{name: s}}\n  {source}{extra}";
        var e = Assert.Throws<EsoSpecException>(() => ExternalSecretSpec.Parse(Object(yaml)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RefreshFollowsEsoRules()
    {
        var now = DateTimeOffset.Parse("2026-01-01T00:00:10Z");
        var es = Object("""
            kind: ExternalSecret
            metadata: {name: e, namespace: n, generation: 1}
            spec: {refreshInterval: 10s, secretStoreRef: {name: s}, dataFrom: [{extract: {key: k}}]}
            """);
        var spec = ExternalSecretSpec.Parse(es);
        var version = ExternalSecretReconciler.SyncedResourceVersion(es);
        Assert.True(ExternalSecretReconciler.ShouldRefresh(es, spec, version, now)); // never synced
        es["status"] = new JsonObject { ["refreshTime"] = "2026-01-01T00:00:05Z", ["syncedResourceVersion"] = version };
        Assert.False(ExternalSecretReconciler.ShouldRefresh(es, spec, version, now));
        Assert.True(ExternalSecretReconciler.ShouldRefresh(es, spec, version, now.AddSeconds(6))); // interval passed
        Assert.True(ExternalSecretReconciler.ShouldRefresh(es, spec, "2-other", now)); // changed
        es["status"]!["refreshTime"] = "2026-01-01T00:01:00Z";
        Assert.True(ExternalSecretReconciler.ShouldRefresh(es, spec, version, now)); // refreshTime in the future
        var once = ExternalSecretSpec.Parse(Object("""
            kind: ExternalSecret
            metadata: {name: e, namespace: n}
            spec: {refreshInterval: "0", secretStoreRef: {name: s}, dataFrom: [{extract: {key: k}}]}
            """));
        Assert.False(ExternalSecretReconciler.ShouldRefresh(es, once, "2-other", now)); // interval 0: synced once is enough
    }

    [Fact]
    public void ASecretIsValidOnlyWhileItsDataMatchesTheHash()
    {
        var spec = ExternalSecretSpec.Parse(Object("kind: ExternalSecret\nmetadata: {name: e, namespace: n}\nspec: {secretStoreRef: {name: s}, dataFrom: [{extract: {key: k}}]}"));
        var data = new Dictionary<string, byte[]> { ["k"] = Encoding.UTF8.GetBytes("v") };
        var secret = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [EsoResources.DataHashAnnotation] = GoObjectHash.OfData(data) } },
            ["data"] = new JsonObject { ["k"] = Convert.ToBase64String("v"u8.ToArray()) },
        };
        Assert.True(ExternalSecretReconciler.IsSecretValid(secret, spec));
        secret["data"]!["k"] = Convert.ToBase64String("edited"u8.ToArray());
        Assert.False(ExternalSecretReconciler.IsSecretValid(secret, spec));
        Assert.False(ExternalSecretReconciler.IsSecretValid(null, spec));
    }
}
