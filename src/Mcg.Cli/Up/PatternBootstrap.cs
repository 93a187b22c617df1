using System.Text.Json.Nodes;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Patterns.Controller;
using Mcg.Secrets.Hub;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Cli.Up;

/// <summary>
/// What <c>pattern.sh make install</c> does once the hub runs: the Pattern resource pointing at the repository, and the
/// secrets of the values-secret file loaded into the hub's Vault (generated values are kept across runs).
/// </summary>
public sealed class PatternBootstrap(UpLayout layout, TextWriter output)
{
    public const string PatternNamespace = "openshift-operators";
    private const string FieldManager = "mcg-up";

    public async Task ApplyPatternAsync(IKubeClient hub, string name, string repositoryUrl, string revision, CancellationToken ct)
    {
        await ClusterJoin.EnsureNamespaceAsync(hub, PatternNamespace, ct);
        var pattern = new JsonObject
        {
            ["apiVersion"] = $"{PatternCrds.Group}/v1alpha1",
            ["kind"] = "Pattern",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = PatternNamespace },
            ["spec"] = new JsonObject
            {
                ["clusterGroupName"] = "hub",
                ["gitSpec"] = new JsonObject { ["targetRepo"] = repositoryUrl, ["targetRevision"] = revision },
            },
        };
        await RetryAsync("create the Pattern", () => hub.ApplyAsync(PatternCrds.Patterns, pattern, new ApplyOptions(FieldManager) { Force = true }, ct), ct);
        output.WriteLine($"mcg up: Pattern {PatternNamespace}/{name} → {repositoryUrl} ({revision})");
    }

    /// <summary>Loads <paramref name="valuesSecretFile"/> into the hub's Vault with the root token of its init file.</summary>
    public async Task LoadSecretsAsync(string valuesSecretFile, CancellationToken ct)
    {
        var plan = ValuesSecretLoader.ReadPlan(valuesSecretFile);
        await RetryAsync("load the secrets into the hub's Vault", async () =>
        {
            var init = VaultInitFile.Load(layout.VaultInitFile) ?? throw new InvalidOperationException($"{layout.VaultInitFile} does not exist yet");
            var address = (await File.ReadAllTextAsync(layout.VaultAddressFile, ct)).Trim();
            using var writer = VaultHttpSecretWriter.Create(new Uri(address), init.RootToken, layout.VaultCaFile);
            var result = await ValuesSecretLoader.ApplyAsync(plan, writer, ct);
            foreach (var s in result.Secrets)
            {
                output.WriteLine($"mcg up: secret {s.Mount}/{s.Path}: {s.Status.ToString().ToLowerInvariant()}{(s.Generated.Count > 0 ? " (generated " + string.Join(", ", s.Generated) + ")" : "")}");
            }
            return result;
        }, ct);
    }

    /// <summary>The hub installs its CRDs and configures Vault while starting: retry until it has.</summary>
    private static async Task<T> RetryAsync<T>(string what, Func<Task<T>> action, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (e is KubeApiException or VaultApiException or HttpRequestException or IOException or InvalidOperationException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct);
            }
        }
    }
}
