using System.Text.Json.Nodes;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Hub;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>The hub's Vault in auto mode: initialised once, the answer kept 0600, unsealed from it on every start.</summary>
public sealed class HubSecretsTests
{
    [Fact]
    public async Task TheFirstStartInitialisesAndEveryStartUnseals()
    {
        var dir = Directory.CreateTempSubdirectory("mcg-hub-secrets-").FullName;
        try
        {
            var options = new HubSecretsOptions { DataDirectory = dir, HubApi = new KubeconfigEndpoint("https://127.0.0.1:1", "") };
            VaultInitFile first;
            await using (var hub = await HubSecrets.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None))
            {
                Assert.False(hub.Vault.Core.IsSealed);
                first = VaultInitFile.Load(Path.Combine(dir, "vault-init.json"))!;
                Assert.Equal(5, first.UnsealKeysHex.Count);
                Assert.Equal(3, first.Threshold);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "vault-init.json")));
                Assert.Equal(hub.Vault.Url, (await File.ReadAllTextAsync(Path.Combine(dir, "vault-addr"))).Trim());
                Assert.Equal(hub.Vault.CaPem, await File.ReadAllTextAsync(Path.Combine(dir, "vault-ca.crt")));
                using var client = hub.Vault.CreateClient(first.RootToken);
                await client.KvWriteAsync("secret", "global/kept", new JsonObject { ["v"] = "across restarts" });
            }
            await using (var again = await HubSecrets.StartAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None))
            {
                Assert.False(again.Vault.Core.IsSealed);
                var reread = VaultInitFile.Load(Path.Combine(dir, "vault-init.json"))!;
                Assert.Equal(first.UnsealKeysHex, reread.UnsealKeysHex);
                Assert.Equal(first.RootToken, reread.RootToken);
                using var client = again.Vault.CreateClient(first.RootToken);
                Assert.Equal("across restarts", (await client.KvReadAsync("secret", "global/kept"))!.Data!["v"]!.GetValue<string>());
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
