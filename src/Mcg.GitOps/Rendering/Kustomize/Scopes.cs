using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// What kustomize knows about kinds without a cluster: which are cluster-scoped and which carry an OpenAPI schema
/// (and so merge-keyed lists). kustomize's built-in schema is Kubernetes 1.21: newer kinds count as namespaced custom types.
/// </summary>
internal static class Scopes
{
    private static readonly HashSet<(string Group, string Kind)> ClusterScoped =
    [
        ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"),
        ("authentication.k8s.io", "TokenReview"), ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"), ("authorization.k8s.io", "SubjectAccessReview"),
        ("certificates.k8s.io", "CertificateSigningRequest"), ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"), ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"), ("policy", "PodSecurityPolicy"), ("extensions", "PodSecurityPolicy"),
        ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("scheduling.k8s.io", "PriorityClass"), ("storage.k8s.io", "CSIDriver"), ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "VolumeAttachment"),
        ("internal.apiserver.k8s.io", "StorageVersion"),
    ];

    private static readonly HashSet<string> BuiltinGroups =
    [
        "", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
        "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io",
        "events.k8s.io", "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    ];

    public static bool IsClusterScoped(GroupVersionKind gvk) => ClusterScoped.Contains((gvk.Group, gvk.Kind));

    /// <summary>Whether kustomize has a schema for the kind (built-in API groups); custom resources merge lists atomically.</summary>
    public static bool HasSchema(GroupVersionKind gvk) => BuiltinGroups.Contains(gvk.Group) && gvk.Kind != "ValidatingAdmissionPolicy"
        && gvk.Kind != "ValidatingAdmissionPolicyBinding";

    /// <summary>kustomize's Gvk.IsSelected: empty selector parts match anything.</summary>
    public static bool IsSelected(GroupVersionKind gvk, GroupVersionKind selector) =>
        (selector.Group.Length == 0 || selector.Group == gvk.Group)
        && (selector.Version.Length == 0 || selector.Version == gvk.Version)
        && (selector.Kind.Length == 0 || selector.Kind == gvk.Kind);
}
