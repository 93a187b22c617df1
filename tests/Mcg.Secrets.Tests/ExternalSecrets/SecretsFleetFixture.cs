using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Fleet.Tests.Support;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>
/// Real processes: <c>mcg hub</c> (with its Vault, auto-initialised and unsealed from DIR/vault-init.json) and two
/// virtual clusters (<c>mcg cluster serve</c>) <c>east</c> and <c>west</c> with their agents, joined to the hub.
/// </summary>
public sealed class SecretsFleetFixture : IAsyncLifetime
{
    public FleetProcesses Fleet { get; } = new();
    public string HubDir => Path.Combine(Fleet.Root, "hub");
    public string VaultUrl { get; private set; } = "";
    public string VaultCaPem { get; private set; } = "";
    public VaultInitFile Init { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Fleet.StartHubAsync();
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(Path.Combine(HubDir, "vault-init.json")) && File.Exists(Path.Combine(HubDir, "vault-addr"))),
            "the hub initialised its Vault", TimeSpan.FromSeconds(60));
        VaultUrl = (await File.ReadAllTextAsync(Path.Combine(HubDir, "vault-addr"))).Trim();
        VaultCaPem = await File.ReadAllTextAsync(Path.Combine(HubDir, "vault-ca.crt"));
        Init = VaultInitFile.Load(Path.Combine(HubDir, "vault-init.json"))!;
        await Fleet.AddClusterAsync("east", "cloud=AWS");
        await Fleet.AddClusterAsync("west", "cloud=Azure");
        using var root = Root();
        // Spoke init gave each cluster its auth mount, and the hub its own.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var mounts = await root.ListAuthAsync();
                return mounts.ContainsKey("hub/") && mounts.ContainsKey("east/") && mounts.ContainsKey("west/");
            }
            catch (VaultApiException)
            {
                return false;
            }
        }, "Vault has the hub, east and west auth mounts", TimeSpan.FromSeconds(120));
    }

    public VaultClient Root() => new(new VaultClientOptions { Address = VaultUrl, CaPem = VaultCaPem, Token = Init.RootToken });

    public VaultClient Anonymous() => new(new VaultClientOptions { Address = VaultUrl, CaPem = VaultCaPem });

    public Kubectl Cluster(string name) => new(Fleet.Clusters[name].KubeconfigPath);

    public async Task<JsonObject?> GetAsync(string cluster, string args)
    {
        var r = await Cluster(cluster).RunAsync($"get {args} -o json");
        return r.ExitCode == 0 ? (JsonObject)JsonNode.Parse(r.Out)! : null;
    }

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}
