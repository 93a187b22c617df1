using System.Text.Json.Nodes;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Tests.Vault;

/// <summary>The typed <see cref="VaultClient"/> against an in-process <see cref="VaultServer"/>.</summary>
[Collection("vault")]
public sealed class VaultClientTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-vault-client-").FullName;
    private VaultServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = _dir });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TypedClientCoversSysKvAndTokens()
    {
        Assert.Equal(_server.Url, (await File.ReadAllTextAsync(Path.Combine(_dir, "vault-addr"))).Trim());
        using var client = _server.CreateClient();
        var init = await client.EnsureInitializedAndUnsealedAsync(null, shares: 3, threshold: 2);
        Assert.NotNull(init);
        Assert.Equal(3, init.Keys.Count);
        Assert.False((await client.SealStatusAsync()).Sealed);
        Assert.Null(await client.EnsureInitializedAndUnsealedAsync(init.Keys));

        await client.MountKvV2Async("apps");
        Assert.Contains("apps/", (await client.ListMountsAsync()).Select(m => m.Key));
        Assert.Equal(1, await client.KvWriteAsync("apps", "team/db", new JsonObject { ["password"] = "p1" }, cas: 0));
        Assert.Equal(2, await client.KvWriteAsync("apps", "team/db", new JsonObject { ["password"] = "p2", ["user"] = "u" }));
        Assert.Equal(3, await client.KvPatchAsync("apps", "team/db", new JsonObject { ["user"] = null, ["port"] = "5432" }));
        var latest = await client.KvReadAsync("apps", "team/db");
        Assert.Equal("""{"password":"p2","port":"5432"}""", latest!.Data!.ToJsonString());
        Assert.Equal("p1", (await client.KvReadAsync("apps", "team/db", 1))!.Data!["password"]!.GetValue<string>());
        Assert.Null(await client.KvReadAsync("apps", "team/none"));
        Assert.Equal(["team/"], await client.KvListAsync("apps"));
        Assert.Equal(["db"], await client.KvListAsync("apps", "team"));
        Assert.Empty(await client.KvListAsync("apps", "nothing"));

        await client.KvDeleteAsync("apps", "team/db");
        var deleted = await client.KvReadAsync("apps", "team/db");
        Assert.NotNull(deleted);
        Assert.Null(deleted.Data);
        Assert.NotEqual("", deleted.DeletionTime);
        await client.KvUndeleteAsync("apps", "team/db", [3]);
        await client.KvDestroyAsync("apps", "team/db", [1]);
        await client.KvWriteMetadataAsync("apps", "team/db", new KvMetadataUpdate { MaxVersions = 5, CustomMetadata = new Dictionary<string, string> { ["owner"] = "a" } });
        var meta = await client.KvReadMetadataAsync("apps", "team/db");
        Assert.Equal(5, meta!["max_versions"]!.GetValue<int>());
        Assert.True(meta["versions"]!["1"]!["destroyed"]!.GetValue<bool>());
        Assert.Equal("a", meta["custom_metadata"]!["owner"]!.GetValue<string>());
        var conflict = await Assert.ThrowsAsync<VaultApiException>(() => client.KvWriteAsync("apps", "team/db", new JsonObject { ["x"] = "y" }, cas: 1));
        Assert.Equal(400, conflict.StatusCode);
        Assert.Equal(["check-and-set parameter did not match the current version"], conflict.Errors);

        await client.WritePolicyAsync("team-read", """path "apps/data/team/*" { capabilities = ["read"] }""");
        Assert.Contains("apps/data/team", await client.ReadPolicyAsync("team-read"));
        var auth = await client.CreateTokenAsync(new TokenCreateRequest { Policies = ["team-read"], Ttl = "10m", Meta = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal(["default", "team-read"], auth.Policies);
        Assert.Equal(600, auth.LeaseDuration);
        using var scoped = _server.CreateClient(auth.ClientToken);
        Assert.Equal("p2", (await scoped.KvReadAsync("apps", "team/db"))!.Data!["password"]!.GetValue<string>());
        var denied = await Assert.ThrowsAsync<VaultApiException>(() => scoped.KvWriteAsync("apps", "team/db", new JsonObject { ["x"] = "y" }));
        Assert.Equal(403, denied.StatusCode);
        Assert.Equal(["1 error occurred:\n\t* permission denied\n\n"], denied.Errors);
        var self = await scoped.LookupSelfAsync();
        Assert.Equal("service", self["type"]!.GetValue<string>());
        Assert.Equal("v", self["meta"]!["k"]!.GetValue<string>());
        Assert.True((await scoped.RenewSelfAsync("20m")).LeaseDuration > 600);
        await scoped.RevokeSelfAsync();
        Assert.Equal(403, (await Assert.ThrowsAsync<VaultApiException>(() => scoped.LookupSelfAsync())).StatusCode);

        await client.WritePasswordPolicyAsync("pw", "length = 12\nrule \"charset\" { charset = \"abc123\" min-chars = 1 }");
        Assert.Equal(12, (await client.GeneratePasswordAsync("pw")).Length);

        await client.SealAsync();
        Assert.True((await client.SealStatusAsync()).Sealed);
        var sealedError = await Assert.ThrowsAsync<VaultApiException>(() => client.KvReadAsync("apps", "team/db"));
        Assert.Equal(503, sealedError.StatusCode);
        Assert.Equal(["Vault is sealed"], sealedError.Errors);
        await client.EnsureInitializedAndUnsealedAsync(init.Keys.Skip(1).ToList());
        Assert.Equal("p2", (await client.KvReadAsync("apps", "team/db"))!.Data!["password"]!.GetValue<string>());
    }
}
