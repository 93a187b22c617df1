using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Patterns.Provisioning;

/// <summary>The worker count a Hive install-config Secret asks for (<c>install-config.yaml</c>: <c>compute[name=worker].replicas</c>).</summary>
public static class InstallConfig
{
    public const int DefaultWorkers = 3;

    public static int WorkerReplicas(JsonObject? secret)
    {
        if (secret?["data"]?["install-config.yaml"]?.GetValue<string>() is not { } encoded)
        {
            return DefaultWorkers;
        }
        JsonNode? config;
        try
        {
            config = YamlJson.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)), "install-config.yaml");
        }
        catch (FormatException)
        {
            return DefaultWorkers;
        }
        var worker = (config?["compute"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.ToString() == "worker");
        return worker?["replicas"] is JsonValue v && v.TryGetValue<long>(out var n) && n >= 0 ? (int)n : DefaultWorkers;
    }
}
