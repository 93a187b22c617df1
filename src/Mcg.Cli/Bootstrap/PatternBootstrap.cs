using System.Text.Json.Nodes;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Patterns.Controller;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Cli.Bootstrap;

/// <summary>
/// The steps <c>pattern.sh make install</c> takes once a hub runs, shared by <c>mcg up</c> and <c>mcg install</c>:
/// the Pattern resource pointing at the repository, and the values-secret file loaded into the hub's Vault
/// (generated values are kept across runs).
/// </summary>
public sealed class PatternBootstrap(TextWriter output)
{
    /// <summary>Where the patterns operator's install puts the Pattern.</summary>
    public const string PatternNamespace = "openshift-operators";
    public const string FieldManager = "mcg-install";

    public TimeSpan RetryFor { get; init; } = TimeSpan.FromMinutes(2);

    public async Task ApplyPatternAsync(IKubeClient hub, string name, string clusterGroup, string repositoryUrl, string revision, CancellationToken ct)
    {
        await ClusterJoin.EnsureNamespaceAsync(hub, PatternNamespace, ct);
        var pattern = new JsonObject
        {
            ["apiVersion"] = $"{PatternCrds.Group}/v1alpha1",
            ["kind"] = "Pattern",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = PatternNamespace },
            ["spec"] = new JsonObject
            {
                ["clusterGroupName"] = clusterGroup,
                ["gitSpec"] = new JsonObject { ["targetRepo"] = repositoryUrl, ["targetRevision"] = revision },
            },
        };
        // The hub installs the Pattern CRD while it starts.
        await RetryAsync(() => hub.ApplyAsync(PatternCrds.Patterns, pattern, new ApplyOptions(FieldManager) { Force = true }, ct), ct);
        output.WriteLine($"Pattern {PatternNamespace}/{name} → {repositoryUrl} ({revision}), cluster group {clusterGroup}");
    }

    /// <summary>Loads <paramref name="plan"/> into Vault, retried while the hub is still setting up its kv mount.</summary>
    public async Task LoadSecretsAsync(SecretsPlan plan, Func<VaultHttpSecretWriter> writer, CancellationToken ct)
    {
        await RetryAsync(async () =>
        {
            using var w = writer();
            var result = await ValuesSecretLoader.ApplyAsync(plan, w, ct);
            foreach (var s in result.Secrets)
            {
                var generated = s.Generated.Count > 0 ? " (generated " + string.Join(", ", s.Generated) + ")" : "";
                output.WriteLine($"secret {s.Mount}/{s.Path}: {s.Status.ToString().ToLowerInvariant()}{generated}");
            }
            return result;
        }, ct);
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (e is KubeApiException or VaultApiException or Mcg.Secrets.Vault.VaultApiException or HttpRequestException or IOException
                or InvalidOperationException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct);
            }
        }
    }
}
