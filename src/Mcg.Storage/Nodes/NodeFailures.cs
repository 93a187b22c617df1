using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Nodes;

/// <summary>What <c>mcg cluster node fail|recover</c> does: flips a virtual node's machine off or on, through the API.</summary>
public static class NodeFailures
{
    public static async Task SetFailedAsync(IKubeClient client, string node, bool failed, CancellationToken ct)
    {
        if (await client.GetAsync(Resources.Nodes, null, node, ct) is null)
        {
            throw new InvalidOperationException($"node \"{node}\" not found");
        }
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [SimulationAnnotations.NodeFailed] = failed ? "true" : null } },
        };
        await client.PatchAsync(Resources.Nodes, null, node, PatchType.Merge, patch, null, ct);
    }
}
