namespace Mcg.GitOps.Sync;

/// <summary>The order gitops-engine applies kinds within a wave (dependencies first); unknown kinds come after.</summary>
public static class KindOrder
{
    private static readonly string[] Kinds =
    [
        "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount",
        "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
        "ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
        "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    ];

    public static int Of(string kind)
    {
        var i = Array.IndexOf(Kinds, kind);
        return i < 0 ? Kinds.Length : i;
    }
}
