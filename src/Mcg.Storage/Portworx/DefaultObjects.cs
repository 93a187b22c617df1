using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Portworx;

/// <summary>
/// What the operator creates once Portworx runs (component/portworx_sc.go, csi.go): the <c>pxd.portworx.com</c>
/// CSIDriver, the default CSI StorageClasses with their real parameters (unless the StorageCluster carries
/// <c>portworx.io/disable-storage-class: "true"</c>) and the <c>px-csi-snapclass</c> VolumeSnapshotClass.
/// </summary>
internal static class DefaultObjects
{
    public const string DisableStorageClassAnnotation = "portworx.io/disable-storage-class";

    private static readonly string LocalSnapshotSchedule = "schedulePolicyName: default-interval-policy\nannotations:\n  portworx/snapshot-type: local\n";
    private static readonly string CloudSnapshotSchedule = "schedulePolicyName: default-daily-policy\nannotations:\n  portworx/snapshot-type: cloud\n";

    public static IReadOnlyList<(string Name, JsonObject Parameters)> StorageClasses() =>
    [
        ("px-csi-db", Params(("repl", "3"), ("io_profile", "db_remote"))),
        ("px-csi-replicated", Params(("repl", "2"))),
        ("px-csi-db-encrypted", Params(("repl", "3"), ("io_profile", "db_remote"), ("secure", "true"))),
        ("px-csi-replicated-encrypted", Params(("repl", "2"), ("secure", "true"))),
        ("px-csi-db-local-snapshot", Params(("repl", "3"), ("io_profile", "db_remote"), ("snapshotschedule.stork.libopenstorage.org/default-schedule", LocalSnapshotSchedule))),
        ("px-csi-db-cloud-snapshot", Params(("repl", "3"), ("io_profile", "db_remote"), ("snapshotschedule.stork.libopenstorage.org/default-schedule", CloudSnapshotSchedule))),
    ];

    public static async Task EnsureAsync(IKubeClient client, JsonObject cluster, StorageClusterSpec spec, CancellationToken ct)
    {
        if (spec.CsiEnabled)
        {
            await CreateIfMissingAsync(client, Resources.CsiDrivers, new JsonObject
            {
                ["apiVersion"] = "storage.k8s.io/v1",
                ["kind"] = "CSIDriver",
                ["metadata"] = new JsonObject { ["name"] = PortworxTopology.Driver },
                ["spec"] = new JsonObject
                {
                    ["attachRequired"] = true,
                    ["podInfoOnMount"] = true,
                    ["volumeLifecycleModes"] = new JsonArray("Persistent", "Ephemeral"),
                    ["fsGroupPolicy"] = "ReadWriteOnceWithFSType",
                },
            }, ct);
            await CreateIfMissingAsync(client, Resources.VolumeSnapshotClasses, new JsonObject
            {
                ["apiVersion"] = "snapshot.storage.k8s.io/v1",
                ["kind"] = "VolumeSnapshotClass",
                ["metadata"] = new JsonObject
                {
                    ["name"] = "px-csi-snapclass",
                    ["annotations"] = new JsonObject { ["snapshot.storage.kubernetes.io/is-default-class"] = "true" },
                },
                ["driver"] = PortworxTopology.Driver,
                ["deletionPolicy"] = "Delete",
                ["parameters"] = new JsonObject { ["csi.openstorage.org/snapshot-type"] = "local" },
            }, ct);
        }
        if (cluster.Str("metadata", "annotations", DisableStorageClassAnnotation) == "true" || !spec.CsiEnabled)
        {
            return;
        }
        foreach (var (name, parameters) in StorageClasses())
        {
            await CreateIfMissingAsync(client, Resources.StorageClasses, new JsonObject
            {
                ["apiVersion"] = "storage.k8s.io/v1",
                ["kind"] = "StorageClass",
                ["metadata"] = new JsonObject { ["name"] = name },
                ["provisioner"] = PortworxTopology.Driver,
                ["parameters"] = parameters,
                ["reclaimPolicy"] = "Delete",
                ["volumeBindingMode"] = "Immediate",
                ["allowVolumeExpansion"] = true,
            }, ct);
        }
    }

    private static JsonObject Params(params (string Key, string Value)[] entries)
    {
        var result = new JsonObject();
        foreach (var (k, v) in entries)
        {
            result[k] = v;
        }
        return result;
    }

    private static async Task CreateIfMissingAsync(IKubeClient client, ResourceRef resource, JsonObject obj, CancellationToken ct)
    {
        if (await client.GetAsync(resource, null, obj.Name()!, ct) is not null)
        {
            return;
        }
        try
        {
            await client.CreateAsync(resource, obj, null, ct);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
        }
    }
}
