using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Portworx;

/// <summary>
/// The CustomResourceDefinitions the <c>portworx-certified</c> operator's CSV owns: StorageCluster (<c>stc</c>) and
/// StorageNode (<c>sn</c>) in <c>core.libopenstorage.org/v1</c>, with their status subresources and printer columns.
/// </summary>
public static class PortworxCrds
{
    public static IReadOnlyList<JsonObject> All() =>
    [
        CustomResourceDefinitions.Build(Resources.StorageClusters, ["stc"],
        [
            new("Cluster Name", ".status.clusterName", Description: "The name of the storage cluster"),
            new("Cluster UUID", ".status.clusterUid", Description: "The unique ID of the storage cluster"),
            new("Status", ".status.phase", Description: "The status of the storage cluster"),
            new("Version", ".status.version", Description: "The version of the storage cluster"),
        ], new() { AgeDescription = "The age of the storage cluster" }),
        CustomResourceDefinitions.Build(Resources.StorageNodes, ["sn"],
        [
            new("ID", ".status.nodeUid", Description: "The corresponding Kubernetes node name for the storage node"),
            new("Status", ".status.phase", Description: "The current status of the storage node"),
            new("Version", ".spec.version", Description: "The version of the storage node"),
            new("Storage-Capacity", ".status.storage.totalSize", Description: "The total storage capacity of the node"),
            new("Storage-Used", ".status.storage.usedSize", Description: "The used storage on the node"),
        ], new() { AgeDescription = "The age of the storage node" }),
    ];

    /// <summary>Creates the CRDs that do not exist yet (what installing the operator does).</summary>
    public static Task InstallAsync(IKubeClient client, CancellationToken ct) => CustomResourceDefinitions.InstallMissingAsync(client, All(), ct);
}
