using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Storage.Simulation;

/// <summary>Writes a computed status only when it differs from the live one (a no-op write would wake every watcher).</summary>
internal static class StatusWriter
{
    /// <summary>Replaces <c>status</c> through a merge patch of the status subresource; returns whether it wrote.</summary>
    public static async Task<bool> WriteAsync(IKubeClient client, ResourceRef resource, JsonObject live, JsonObject status, CancellationToken ct)
    {
        var current = live["status"] as JsonObject ?? [];
        if (JsonNode.DeepEquals(current, status))
        {
            return false;
        }
        var patch = (JsonObject)status.DeepClone();
        foreach (var (key, _) in current)
        {
            if (!patch.ContainsKey(key))
            {
                patch[key] = null;
            }
        }
        await client.PatchAsync(resource, live.Str("metadata", "namespace") is { Length: > 0 } ns ? ns : null, live.Str("metadata", "name"),
            PatchType.Merge, new JsonObject { ["status"] = patch }, new PatchOptions { Subresource = "status" }, ct);
        return true;
    }
}
