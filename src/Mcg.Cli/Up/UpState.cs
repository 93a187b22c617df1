using System.Text.Json;

namespace Mcg.Cli.Up;

/// <summary>
/// What <c>mcg up</c> decided on its first run and keeps on resume: the ports (agents' stored hub credentials name the
/// hub's URL), the clusters with their cloud, and the agents' metrics ports (a Prometheus configured once keeps scraping).
/// </summary>
public sealed record UpState(int HubPort, int VaultPort, IReadOnlyList<UpCluster> Clusters)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static readonly string[] Clouds = ["AWS", "Azure", "GCP", "OnPrem"];

    public static UpState Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<UpState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid mcg up state file: {e.Message}", e);
        }
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }

    /// <summary>
    /// Clusters 1..n named after their cloud (<c>aws-1</c>, <c>azure-2</c>, …), keeping the ones already known; a cluster
    /// from a state file written before agents had metrics ports gets one now.
    /// </summary>
    public UpState WithClusterCount(int count, Func<int> freePort)
    {
        var clusters = Clusters.Select(c => c.MetricsPort > 0 ? c : c with { MetricsPort = freePort() }).ToList();
        for (var i = clusters.Count; i < count; i++)
        {
            var cloud = Clouds[i % Clouds.Length];
            clusters.Add(new UpCluster($"{cloud.ToLowerInvariant()}-{i + 1}", cloud, freePort(), freePort()));
        }
        return this with { Clusters = clusters };
    }
}

/// <summary>A virtual cluster: its API server's port and its agent's metrics port (0 in state files of older versions).</summary>
public sealed record UpCluster(string Name, string Cloud, int Port, int MetricsPort = 0);
