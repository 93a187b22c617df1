using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>core/v1 Events about ExternalSecrets and stores (reasons as ESO's: Updated, Created, UpdateFailed, Deleted…). Failures are only logged.</summary>
public sealed class EsoEvents(IKubeClient kube, TimeProvider clock, ILogger logger)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task RecordAsync(JsonObject involved, string type, string reason, string message, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var stamp = EsoConditions.Timestamp(now);
        var ns = involved.Namespace() ?? "default";
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = $"{involved.Name()}.{now.ToUnixTimeMilliseconds() * 1_000_000 + Random.Shared.Next(1_000_000):x}", ["namespace"] = ns },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = involved.ApiVersion(),
                ["kind"] = involved.Kind(),
                ["name"] = involved.Name(),
                ["namespace"] = involved.Namespace(),
                ["uid"] = involved.Uid(),
                ["resourceVersion"] = involved.ResourceVersion(),
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = "external-secrets" },
            ["firstTimestamp"] = stamp,
            ["lastTimestamp"] = stamp,
            ["count"] = 1,
            ["type"] = type,
            ["reportingComponent"] = "external-secrets",
        };
        try
        {
            await kube.CreateAsync(EsoResources.Events, ev, null, ct);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
        {
            logger.LogWarning("could not record event {Reason} on {Kind} {Name}: {Message}", reason, involved.Kind(), involved.Name(), e.Message);
        }
    }
}
