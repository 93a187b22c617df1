using System.Text.Json.Nodes;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Portworx;

/// <summary>Where a Portworx volume's replicas are and which of them can be reached (their StorageNode is Online).</summary>
public sealed record VolumeLocation(string Volume, IReadOnlyList<string> Replicas, IReadOnlyList<string> Reachable);

/// <summary>
/// Reads volume placement from the API objects the simulated Portworx writes: the PV's replica annotation (what
/// <c>pxctl volume inspect</c> would show) and the StorageNodes' phases.
/// </summary>
public sealed class PortworxTopology(SharedInformers informers)
{
    public const string Driver = "pxd.portworx.com";

    /// <summary>On a PV: the nodes holding its replicas, comma-separated.</summary>
    public const string ReplicaNodesAnnotation = "portworx.io/replica-nodes";

    private readonly Informer _storageNodes = informers.For(Resources.StorageNodes);

    public IReadOnlyCollection<string> OnlineNodes() =>
        [.. _storageNodes.List().Where(n => n.Str("status", "phase") == "Online").Select(n => n.Str("metadata", "name"))];

    public VolumeLocation? Locate(JsonObject pv)
    {
        if (pv.Str("spec", "csi", "driver") != Driver)
        {
            return null;
        }
        var replicas = ReplicaNodes(pv);
        var online = OnlineNodes();
        return new VolumeLocation(pv.Str("spec", "csi", "volumeHandle"), replicas, [.. replicas.Where(online.Contains)]);
    }

    public static IReadOnlyList<string> ReplicaNodes(JsonObject pv) =>
        pv.Str("metadata", "annotations", ReplicaNodesAnnotation).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
