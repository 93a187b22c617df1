using Mcg.Kube.Client;

namespace Mcg.Storage.Simulation;

/// <summary>The resources the simulators read and write (well known, so no discovery round trip is needed).</summary>
public static class Resources
{
    public static readonly ResourceRef Pods = new("", "v1", "pods", "Pod", true);
    public static readonly ResourceRef Nodes = new("", "v1", "nodes", "Node", false);
    public static readonly ResourceRef PersistentVolumeClaims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true);
    public static readonly ResourceRef PersistentVolumes = new("", "v1", "persistentvolumes", "PersistentVolume", false);
    public static readonly ResourceRef Secrets = ResourceRef.Secrets;
    public static readonly ResourceRef ConfigMaps = ResourceRef.ConfigMaps;
    public static readonly ResourceRef Deployments = new("apps", "v1", "deployments", "Deployment", true);
    public static readonly ResourceRef ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true);
    public static readonly ResourceRef StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet", true);
    public static readonly ResourceRef DaemonSets = new("apps", "v1", "daemonsets", "DaemonSet", true);
    public static readonly ResourceRef Jobs = new("batch", "v1", "jobs", "Job", true);
    public static readonly ResourceRef StorageClasses = new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false);
    public static readonly ResourceRef CsiDrivers = new("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false);
    public static readonly ResourceRef VolumeAttachments = new("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", false);
    public static readonly ResourceRef VolumeSnapshots = new("snapshot.storage.k8s.io", "v1", "volumesnapshots", "VolumeSnapshot", true);
    public static readonly ResourceRef VolumeSnapshotContents = new("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents", "VolumeSnapshotContent", false);
    public static readonly ResourceRef VolumeSnapshotClasses = new("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses", "VolumeSnapshotClass", false);
    public static readonly ResourceRef StorageClusters = new("core.libopenstorage.org", "v1", "storageclusters", "StorageCluster", true);
    public static readonly ResourceRef StorageNodes = new("core.libopenstorage.org", "v1", "storagenodes", "StorageNode", true);
}
