namespace Mcg.ApiServer.Resources;

/// <summary>The built-in resources the embedded server serves (the groups our controllers and simulators touch).</summary>
public static class BuiltInResources
{
    public static IReadOnlyList<ResourceType> All { get; } = Build();

    private static List<ResourceType> Build()
    {
        var all = new List<ResourceType>();
        void Add(string gv, string plural, string kind, bool namespaced, string[]? shortNames = null, bool status = false, string[]? verbs = null, string[]? categories = null)
        {
            var slash = gv.IndexOf('/');
            var group = slash < 0 ? "" : gv[..slash];
            var version = slash < 0 ? gv : gv[(slash + 1)..];
            all.Add(new ResourceType(group, version, plural, kind.ToLowerInvariant(), kind, namespaced, shortNames ?? [], status,
                verbs ?? ResourceType.AllVerbs, BuiltIn: true, Categories: categories));
        }

        Add("v1", "namespaces", "Namespace", false, ["ns"], status: true, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]);
        Add("v1", "configmaps", "ConfigMap", true, ["cm"]);
        Add("v1", "secrets", "Secret", true);
        Add("v1", "serviceaccounts", "ServiceAccount", true, ["sa"]);
        Add("v1", "services", "Service", true, ["svc"], status: true, categories: ["all"]);
        Add("v1", "endpoints", "Endpoints", true, ["ep"]);
        Add("v1", "pods", "Pod", true, ["po"], status: true, categories: ["all"]);
        Add("v1", "nodes", "Node", false, ["no"], status: true);
        Add("v1", "events", "Event", true, ["ev"]);
        Add("v1", "persistentvolumes", "PersistentVolume", false, ["pv"], status: true);
        Add("v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, ["pvc"], status: true);
        Add("v1", "limitranges", "LimitRange", true, ["limits"]);
        Add("v1", "resourcequotas", "ResourceQuota", true, ["quota"], status: true);
        Add("v1", "replicationcontrollers", "ReplicationController", true, ["rc"], status: true);
        Add("apps/v1", "deployments", "Deployment", true, ["deploy"], status: true, categories: ["all"]);
        Add("apps/v1", "replicasets", "ReplicaSet", true, ["rs"], status: true, categories: ["all"]);
        Add("apps/v1", "statefulsets", "StatefulSet", true, ["sts"], status: true, categories: ["all"]);
        Add("apps/v1", "daemonsets", "DaemonSet", true, ["ds"], status: true, categories: ["all"]);
        Add("apps/v1", "controllerrevisions", "ControllerRevision", true);
        Add("batch/v1", "jobs", "Job", true, status: true, categories: ["all"]);
        Add("batch/v1", "cronjobs", "CronJob", true, ["cj"], status: true, categories: ["all"]);
        Add("rbac.authorization.k8s.io/v1", "roles", "Role", true);
        Add("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true);
        Add("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false);
        Add("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", false);
        Add("storage.k8s.io/v1", "storageclasses", "StorageClass", false, ["sc"]);
        Add("storage.k8s.io/v1", "csidrivers", "CSIDriver", false);
        Add("storage.k8s.io/v1", "csinodes", "CSINode", false);
        Add("storage.k8s.io/v1", "volumeattachments", "VolumeAttachment", false, status: true);
        Add("coordination.k8s.io/v1", "leases", "Lease", true);
        Add("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false, ["crd", "crds"], status: true);
        Add("snapshot.storage.k8s.io/v1", "volumesnapshots", "VolumeSnapshot", true, ["vs"], status: true);
        Add("snapshot.storage.k8s.io/v1", "volumesnapshotcontents", "VolumeSnapshotContent", false, ["vsc", "vscs"], status: true);
        Add("snapshot.storage.k8s.io/v1", "volumesnapshotclasses", "VolumeSnapshotClass", false, ["vsclass", "vsclasses"]);
        Add("networking.k8s.io/v1", "ingresses", "Ingress", true, ["ing"], status: true);
        Add("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", true, ["netpol"]);
        Add("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true, ["pdb"], status: true);
        Add("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", false, ["pc"]);
        Add("authentication.k8s.io/v1", "tokenreviews", "TokenReview", false, verbs: ["create"]);
        Add("authorization.k8s.io/v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, verbs: ["create"]);
        Add("authorization.k8s.io/v1", "subjectaccessreviews", "SubjectAccessReview", false, verbs: ["create"]);
        // The workloads with a scale subresource (kubectl scale, autoscalers).
        foreach (var (group, plural) in new[] { ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("", "replicationcontrollers") })
        {
            var i = all.FindIndex(r => r.Group == group && r.Plural == plural);
            all[i] = all[i] with { Scale = ScaleSubresource.Workload };
        }
        return all;
    }
}
