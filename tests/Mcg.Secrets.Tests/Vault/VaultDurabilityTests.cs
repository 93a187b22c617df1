using System.Text;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.Vault;

/// <summary>Seal, restart and encryption at rest, on a server of its own.</summary>
[Collection("vault")]
public sealed class VaultDurabilityTests
{
    [Fact]
    public async Task SealRestartAndNothingSecretOnDisk()
    {
        await Tools.RequireHvacAsync();
        await using var server = await McgProcess.StartAsync("vault", "serve");
        var ca = Path.Combine(server.DataDir, "ca.crt");
        Assert.Equal(server.Url, (await File.ReadAllTextAsync(Path.Combine(server.DataDir, "vault-addr"))).Trim());
        Assert.Contains($"Vault listening on {server.Url}", server.Output);
        var (root, keys) = await VaultFixture.InitAndUnsealAsync(server.Url, ca);
        var secretValue = "top-secret-" + Guid.NewGuid().ToString("N");

        (await Tools.HvacAsync(server.Url, ca, root, $$"""
            kv = client.secrets.kv.v2
            kv.create_or_update_secret(path="durable/app", secret={"password": "{{secretValue}}"})
            kv.create_or_update_secret(path="durable/app", secret={"password": "{{secretValue}}-v2"})
            client.sys.create_or_update_policy(name="reader", policy='path "secret/data/durable/*" { capabilities = ["read"] }')
            reader = client.auth.token.create(policies=["reader"], ttl="1h")["auth"]["client_token"]
            h = client.adapter.post("/v1/sys/audit-hash/file", json={"input": "{{secretValue}}"})["data"]["hash"]
            assert h.startswith("hmac-sha256:"), h
            client.sys.seal()
            assert client.sys.is_sealed() is True
            try:
                kv.read_secret_version(path="durable/app")
                raise AssertionError("read while sealed")
            except exceptions.VaultDown as e:
                assert "Vault is sealed" in str(e), str(e)
            health = requests.get(os.environ["VAULT_ADDR"] + "/v1/sys/health", verify=os.environ["VAULT_CACERT"])
            assert health.status_code == 503 and health.json()["sealed"] is True, health.text
            assert requests.get(os.environ["VAULT_ADDR"] + "/v1/sys/health?sealedcode=200", verify=os.environ["VAULT_CACERT"]).status_code == 200
            print(json.dumps({"reader": reader, "hash": h}))
            """)).EnsureSuccess("write then seal");

        var audit = await File.ReadAllTextAsync(Path.Combine(server.DataDir, "audit.log"));
        Assert.Contains("\"type\":\"request\"", audit);
        Assert.Contains("\"path\":\"secret/data/durable/app\"", audit);
        Assert.Contains("hmac-sha256:", audit);

        await server.RestartAsync();
        (await Tools.HvacAsync(server.Url, ca, root, $$"""
            assert client.sys.is_initialized() is True
            assert client.sys.is_sealed() is True
            try:
                client.secrets.kv.v2.read_secret_version(path="durable/app")
                raise AssertionError("read after restart while sealed")
            except exceptions.VaultDown:
                pass
            for k in {{ToPythonList(keys.Take(3))}}[::-1]:
                client.sys.submit_unseal_key(k)
            assert client.sys.is_sealed() is False
            r = client.secrets.kv.v2.read_secret_version(path="durable/app")
            assert r["data"]["data"]["password"] == "{{secretValue}}-v2" and r["data"]["metadata"]["version"] == 2, r
            assert client.secrets.kv.v2.read_secret_version(path="durable/app", version=1)["data"]["data"]["password"] == "{{secretValue}}"
            assert "reader" in client.sys.list_policies()["data"]["policies"]
            # A wrong share set fails as Vault words it, and the server stays usable.
            client.sys.seal()
            client.sys.submit_unseal_key({{ToPythonList(keys.Take(1))}}[0])
            bogus = "ab" * 33
            client.sys.submit_unseal_key(bogus)
            try:
                client.sys.submit_unseal_key({{ToPythonList(keys.Skip(1).Take(1))}}[0])
                raise AssertionError("bad share set unsealed")
            except exceptions.InvalidRequest as e:
                assert "Unseal failed, invalid key" in str(e), str(e)
            assert client.sys.read_seal_status()["progress"] == 0
            for k in {{ToPythonList(keys.Skip(2))}}:
                client.sys.submit_unseal_key(k)
            assert client.sys.is_sealed() is False
            print("ok")
            """)).EnsureSuccess("restart and unseal");

        // Nothing on disk holds the secret value or the root token, in any encoding a careless store would use.
        await server.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var needles = new[] { secretValue, root, root["hvs.".Length..] };
        foreach (var file in Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var needle in needles)
            {
                foreach (var encoded in new[] { Encoding.UTF8.GetBytes(needle), Encoding.Unicode.GetBytes(needle), Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(needle))) })
                {
                    Assert.False(bytes.AsSpan().IndexOf(encoded) >= 0, $"{Path.GetFileName(file)} contains a secret ({needle[..6]}…)");
                }
            }
            foreach (var key in keys)
            {
                Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(key)) >= 0, $"{Path.GetFileName(file)} contains an unseal key");
            }
        }
        var grep = await Tools.RunAsync("grep", ["-r", "-l", "-a", "-F", secretValue, server.DataDir]);
        Assert.Equal(1, grep.ExitCode);
        grep = await Tools.RunAsync("grep", ["-r", "-l", "-a", "-F", root, server.DataDir]);
        Assert.Equal(1, grep.ExitCode);
    }

    private static string ToPythonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"\"{i}\"")) + "]";
}
