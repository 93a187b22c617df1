using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Vault;
using Xunit.Abstractions;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>
/// The secret data flow across real processes: values in the hub's Vault reach the Secrets of joined virtual
/// clusters through the agents' ExternalSecret controllers, each cluster reads only what its policy allows, and a
/// sealed Vault keeps existing Secrets while the ExternalSecret reports the failure.
/// </summary>
public sealed class SecretsFleetTests(SecretsFleetFixture fleet, ITestOutputHelper output) : IClassFixture<SecretsFleetFixture>
{
    private const string RefreshSeconds = "3";

    private static string ConfigDemo(string name) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: config-demo}
        ---
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: {{name}}, namespace: config-demo}
        spec:
          refreshInterval: {{RefreshSeconds}}s
          secretStoreRef: {name: vault-backend, kind: ClusterSecretStore}
          target: {name: {{name}}}
          dataFrom:
          - extract: {key: secret/data/global/config-demo}
        """;

    private async Task<string?> SecretValueAsync(string cluster, string name, string key)
    {
        var secret = await fleet.GetAsync(cluster, $"secret {name} -n config-demo");
        return secret?["data"]?[key]?.GetValue<string>() is { } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : null;
    }

    private async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 90)
    {
        try
        {
            await Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));
        }
        catch
        {
            output.WriteLine(fleet.Fleet.Log);
            throw;
        }
    }

    private async Task<JsonObject?> ReadyConditionAsync(string cluster, string es) =>
        ((await fleet.GetAsync(cluster, $"externalsecret {es} -n config-demo"))?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();

    [Fact]
    public async Task AnExternalSecretOnAJoinedClusterMaterialisesAndFollowsVault()
    {
        using var root = fleet.Root();
        await root.KvWriteAsync("secret", "global/config-demo", new JsonObject { ["secret"] = "first" });
        // The hub handed the cluster its vault-backend ClusterSecretStore through a ManifestWork.
        await WaitAsync(async () => EsoConditions.ReadyStatus(await fleet.GetAsync("east", "clustersecretstore vault-backend") ?? []) == "True",
            "east's ClusterSecretStore vault-backend is Ready");
        (await fleet.Cluster("east").RunAsync("apply -f -", ConfigDemo("config-demo-secret"))).Ok();
        await WaitAsync(async () => await SecretValueAsync("east", "config-demo-secret", "secret") == "first", "the Secret holds the Vault value");
        var condition = (await ReadyConditionAsync("east", "config-demo-secret"))!;
        Assert.Equal("True", condition["status"]!.GetValue<string>());
        Assert.Equal(EsoResources.ReasonSecretSynced, condition["reason"]!.GetValue<string>());

        // A change in Vault arrives within the refresh interval. The arrival is when the controller wrote the Secret
        // (its managedFields time, one-second precision), so the polling latency of kubectl on a loaded machine does not count.
        var written = DateTimeOffset.UtcNow;
        await root.KvWriteAsync("secret", "global/config-demo", new JsonObject { ["secret"] = "second" });
        await WaitAsync(async () => await SecretValueAsync("east", "config-demo-secret", "secret") == "second", "the Secret follows the new value", 30);
        var secret = (await fleet.GetAsync("east", "secret config-demo-secret -n config-demo --show-managed-fields"))!;
        var updated = (secret["metadata"]!["managedFields"] as JsonArray)?.OfType<JsonObject>()
            .Select(f => f["time"]?.GetValue<string>() is { } t ? DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : DateTimeOffset.MinValue)
            .Max() ?? DateTimeOffset.UtcNow;
        var delay = updated - written;
        output.WriteLine($"value change reached the cluster's Secret after {delay.TotalSeconds:F1}s (refreshInterval {RefreshSeconds}s)");
        Assert.True(delay < TimeSpan.FromSeconds(int.Parse(RefreshSeconds, System.Globalization.CultureInfo.InvariantCulture) + 3), $"took {delay}");
    }

    [Fact]
    public async Task EachClusterReadsOnlyItsOwnPathsWithItsKubernetesLogin()
    {
        using var root = fleet.Root();
        await root.KvWriteAsync("secret", "east/x", new JsonObject { ["v"] = "east-only" });
        await root.KvWriteAsync("secret", "hub/x", new JsonObject { ["v"] = "hub-only" });
        await root.KvWriteAsync("secret", "global/shared", new JsonObject { ["v"] = "everyone" });
        async Task<string> JwtAsync(string cluster) =>
            (await fleet.Cluster(cluster).RunAsync($"create token {EsoServiceAccount.Name} -n {EsoServiceAccount.Namespace} --audience vault")).Ok().Out.Trim();
        var eastJwt = await JwtAsync("east");
        var westJwt = await JwtAsync("west");

        using var east = fleet.Anonymous();
        var eastLogin = await east.KubernetesLoginAsync("east", "east-role", eastJwt);
        Assert.Contains("east-secret", eastLogin.Policies);
        Assert.Equal("east-only", (await east.KvReadAsync("secret", "east/x"))!.Data!["v"]!.GetValue<string>());
        Assert.Equal("everyone", (await east.KvReadAsync("secret", "global/shared"))!.Data!["v"]!.GetValue<string>());
        Assert.Equal(403, (await Assert.ThrowsAsync<VaultApiException>(() => east.KvReadAsync("secret", "hub/x"))).StatusCode);

        using var west = fleet.Anonymous();
        await west.KubernetesLoginAsync("west", "west-role", westJwt);
        var denied = await Assert.ThrowsAsync<VaultApiException>(() => west.KvReadAsync("secret", "east/x"));
        Assert.Equal(403, denied.StatusCode);
        Assert.Equal("everyone", (await west.KvReadAsync("secret", "global/shared"))!.Data!["v"]!.GetValue<string>());
        // pushsecrets/ is read-write for every cluster.
        await west.KvWriteAsync("secret", "pushsecrets/from-west", new JsonObject { ["v"] = "pushed" });
        Assert.Equal("pushed", (await east.KvReadAsync("secret", "pushsecrets/from-west"))!.Data!["v"]!.GetValue<string>());

        // West's JWT is not a login for east's mount: east's API server does not know the token.
        using var intruder = fleet.Anonymous();
        Assert.Equal(403, (await Assert.ThrowsAsync<VaultApiException>(() => intruder.KubernetesLoginAsync("east", "east-role", westJwt))).StatusCode);
    }

    [Fact]
    public async Task ASealedVaultKeepsTheSecretAndReportsTheFailureUntilUnsealed()
    {
        using var root = fleet.Root();
        await root.KvWriteAsync("secret", "global/config-demo", new JsonObject { ["secret"] = "before-seal" });
        await WaitAsync(async () => EsoConditions.ReadyStatus(await fleet.GetAsync("west", "clustersecretstore vault-backend") ?? []) == "True",
            "west's ClusterSecretStore vault-backend is Ready");
        (await fleet.Cluster("west").RunAsync("apply -f -", ConfigDemo("sealed-demo"))).Ok();
        await WaitAsync(async () => await SecretValueAsync("west", "sealed-demo", "secret") == "before-seal", "the Secret holds the Vault value");

        await root.SealAsync();
        try
        {
            await WaitAsync(async () => (await ReadyConditionAsync("west", "sealed-demo"))?["status"]?.GetValue<string>() == "False", "the ExternalSecret turns Ready=False");
            var condition = (await ReadyConditionAsync("west", "sealed-demo"))!;
            Assert.Equal(EsoResources.ReasonSecretSyncedError, condition["reason"]!.GetValue<string>());
            Assert.Equal(EsoResources.MessageProviderError, condition["message"]!.GetValue<string>());
            var events = (await fleet.Cluster("west").RunAsync("get events -n config-demo --field-selector involvedObject.name=sealed-demo -o jsonpath={.items[*].message}")).Ok().Out;
            Assert.Contains("Vault is sealed", events);
            // The Secret is kept, with its data, for as long as Vault stays sealed.
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(RefreshSeconds, System.Globalization.CultureInfo.InvariantCulture) * 2));
            Assert.Equal("before-seal", await SecretValueAsync("west", "sealed-demo", "secret"));
        }
        finally
        {
            using var unseal = fleet.Anonymous();
            await unseal.EnsureInitializedAndUnsealedAsync(fleet.Init.UnsealKeysHex.Take(fleet.Init.Threshold).ToList());
        }
        await root.KvWriteAsync("secret", "global/config-demo", new JsonObject { ["secret"] = "after-unseal" });
        await WaitAsync(async () => await SecretValueAsync("west", "sealed-demo", "secret") == "after-unseal", "the Secret follows Vault again after the unseal");
        await WaitAsync(async () => (await ReadyConditionAsync("west", "sealed-demo"))?["reason"]?.GetValue<string>() == EsoResources.ReasonSecretSynced, "Ready=True again");
    }

    [Fact]
    public async Task TheHubMaterialisesItsOwnSecretsThroughTheHubMount()
    {
        using var root = fleet.Root();
        await root.KvWriteAsync("secret", "hub/config", new JsonObject { ["token"] = "for-the-hub" });
        var hub = new Kubectl(fleet.Fleet.HubKubeconfig);
        await WaitAsync(async () => (await hub.RunAsync("get clustersecretstore vault-backend -o jsonpath={.status.conditions[0].status}")).Out.Trim() == "True",
            "the hub's ClusterSecretStore vault-backend is Ready");
        (await hub.RunAsync("apply -f -", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: hub-apps}
            ---
            apiVersion: external-secrets.io/v1
            kind: ExternalSecret
            metadata: {name: hub-config, namespace: hub-apps}
            spec:
              refreshInterval: 5s
              secretStoreRef: {name: vault-backend, kind: ClusterSecretStore}
              data:
              - secretKey: token
                remoteRef: {key: secret/data/hub/config, property: token}
            """)).Ok();
        await WaitAsync(async () => (await hub.RunAsync("get secret hub-config -n hub-apps -o jsonpath={.data.token}")).Out.Trim() == Convert.ToBase64String("for-the-hub"u8.ToArray()),
            "the hub's Secret holds the value from secret/hub");
    }
}
