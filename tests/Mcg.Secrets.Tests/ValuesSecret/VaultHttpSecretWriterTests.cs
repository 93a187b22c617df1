using System.Net;
using System.Text.Json.Nodes;
using Mcg.Secrets.Tests.Support;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Secrets.Tests.ValuesSecret;

/// <summary>Request shapes of <see cref="VaultHttpSecretWriter"/> against a recording HttpListener.</summary>
public sealed class VaultHttpSecretWriterTests : IDisposable
{
    private readonly FakeVault vault = new("hvs.test-token");
    private readonly VaultHttpSecretWriter writer;

    public VaultHttpSecretWriterTests()
    {
        writer = VaultHttpSecretWriter.Create(new Uri(vault.Address.TrimEnd('/')), "hvs.test-token");
    }

    public void Dispose()
    {
        writer.Dispose();
        vault.Dispose();
    }

    private List<RecordedRequest> Api => vault.Snapshot().Where(r => !r.RawPath.StartsWith("/v1/sys/internal/ui/mounts/", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task WriteIsAKvV2PostOfDataWithTheToken()
    {
        await writer.WriteAsync("secret", "global/config-demo", new Dictionary<string, string> { ["secret"] = "s3cr3t", ["quote\"d"] = "multi\nline" });
        var r = Assert.Single(Api);
        Assert.Equal(("POST", "/v1/secret/data/global/config-demo"), (r.Method, r.RawPath));
        Assert.Equal("hvs.test-token", r.Headers["X-Vault-Token"]);
        Assert.Equal("true", r.Headers["X-Vault-Request"]);
        Assert.StartsWith("application/json", r.ContentType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"data":{"secret":"s3cr3t","quote\"d":"multi\nline"}}"""), r.Json));
        Assert.Equal("s3cr3t", vault.Kv["secret/global/config-demo"][^1]["secret"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadReturnsDataDataOrNullWhenMissingOrDeleted()
    {
        Assert.Null(await writer.ReadFieldsAsync("secret", "hub/missing"));
        await writer.WriteAsync("secret", "hub/app", new Dictionary<string, string> { ["user"] = "admin" });
        var fields = await writer.ReadFieldsAsync("secret", "hub/app");
        Assert.Equal(new Dictionary<string, string> { ["user"] = "admin" }, fields);
        var reads = Api.Where(r => r.Method == "GET").ToList();
        Assert.Equal(["/v1/secret/data/hub/missing", "/v1/secret/data/hub/app"], reads.Select(r => r.RawPath));
        Assert.All(reads, r => Assert.Equal("", r.Body));

        // A soft-deleted latest version: 404 with data.data null and the metadata.
        vault.Respond = r => r.RawPath == "/v1/secret/data/hub/deleted"
            ? (404, """{"request_id":"x","data":{"data":null,"metadata":{"deletion_time":"2026-01-01T00:00:00Z","destroyed":false,"version":2}}}""")
            : null;
        Assert.Null(await writer.ReadFieldsAsync("secret", "hub/deleted"));
    }

    [Fact]
    public async Task NonStringValuesAreReadAsJson()
    {
        vault.Respond = r => r.RawPath == "/v1/secret/data/hub/typed"
            ? (200, """{"data":{"data":{"n":5,"b":true,"o":{"k":"v"},"s":"str"},"metadata":{"version":1}}}""")
            : null;
        var fields = await writer.ReadFieldsAsync("secret", "hub/typed");
        Assert.Equal(new Dictionary<string, string> { ["n"] = "5", ["b"] = "true", ["o"] = """{"k":"v"}""", ["s"] = "str" }, fields);
    }

    [Fact]
    public async Task PasswordPolicyIsAPutOfPolicy()
    {
        await writer.EnsurePasswordPolicyAsync("basicPolicy", "length=10\nrule \"charset\" { charset = \"abc\" }\n");
        var r = Assert.Single(Api);
        Assert.Equal(("PUT", "/v1/sys/policies/password/basicPolicy"), (r.Method, r.RawPath));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["policy"] = "length=10\nrule \"charset\" { charset = \"abc\" }\n" }, r.Json));
    }

    [Fact]
    public async Task GenerateReadsDataPassword()
    {
        await writer.EnsurePasswordPolicyAsync("p", "length=5");
        var password = await writer.GenerateAsync("p");
        Assert.Equal("Gen1-p!", password);
        Assert.Equal(("GET", "/v1/sys/policies/password/p/generate"), (Api[^1].Method, Api[^1].RawPath));
        var e = await Assert.ThrowsAsync<VaultApiException>(() => writer.GenerateAsync("unknown"));
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal("Vault GET /v1/sys/policies/password/unknown/generate: 400 BadRequest: policy \"unknown\" does not exist", e.Message);
    }

    [Fact]
    public async Task VaultErrorsAreReported()
    {
        using var badToken = VaultHttpSecretWriter.Create(new Uri(vault.Address), "wrong");
        var e = await Assert.ThrowsAsync<VaultApiException>(() => badToken.WriteAsync("secret", "hub/x", new Dictionary<string, string> { ["a"] = "b" }));
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Equal(["permission denied"], e.Errors);
        vault.Respond = r => r.Method == "POST" ? (503, """{"errors":["Vault is sealed"]}""") : null;
        var sealedError = await Assert.ThrowsAsync<VaultApiException>(() => writer.WriteAsync("secret", "hub/x", new Dictionary<string, string> { ["a"] = "b" }));
        Assert.Contains("Vault is sealed", sealedError.Message);
    }

    [Fact]
    public async Task AcceptsBoth200And204AndEscapesPathSegments()
    {
        vault.Respond = r => r.Method == "POST" ? (204, null) : null;
        await writer.WriteAsync("my mount", "spoke.example.com/app name", new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal("/v1/my%20mount/data/spoke.example.com/app%20name", Api.Single().RawPath);
    }

    [Fact]
    public async Task PreflightRefusesKvV1AndNonKvMounts()
    {
        vault.Mounts["secret"] = ("kv", "2");
        vault.Mounts["kv1"] = ("kv", "1");
        vault.Mounts["pki"] = ("pki", "");
        await writer.WriteAsync("secret", "hub/a", new Dictionary<string, string> { ["k"] = "v" });
        Assert.Contains("KV version 1", (await Assert.ThrowsAsync<VaultApiException>(() => writer.ReadFieldsAsync("kv1", "hub/a"))).Message);
        Assert.Contains("not a KV secrets engine", (await Assert.ThrowsAsync<VaultApiException>(() => writer.ReadFieldsAsync("pki", "hub/a"))).Message);
        await writer.ReadFieldsAsync("secret", "hub/a");
        Assert.Single(vault.Snapshot(), r => r.RawPath == "/v1/sys/internal/ui/mounts/secret");
        Assert.DoesNotContain(vault.Snapshot(), r => r.RawPath.StartsWith("/v1/kv1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoaderOverHttpEndToEnd()
    {
        var plan = ValuesSecretParser.Parse("""
            version: "2.0"
            secrets:
            - name: config-demo
              vaultPrefixes: [global]
              fields:
              - {name: secret, onMissingValue: generate, vaultPolicy: validatedPatternDefaultPolicy}
              - {name: user, value: admin}
            """, "values.yaml");
        await ValuesSecretLoader.ApplyAsync(plan, writer);
        var first = vault.Kv["secret/global/config-demo"][^1].DeepClone();
        var second = await ValuesSecretLoader.ApplyAsync(plan, writer);
        Assert.Equal(SecretWriteStatus.Unchanged, second.Secrets[0].Status);
        Assert.Single(vault.Kv["secret/global/config-demo"]);
        Assert.Equal("Gen1-validatedPatternDefaultPolicy!", first["secret"]!.GetValue<string>());
        Assert.Equal(PasswordPolicies.DefaultPolicyHcl, vault.PasswordPolicies[PasswordPolicies.DefaultPolicyName]);
    }
}
