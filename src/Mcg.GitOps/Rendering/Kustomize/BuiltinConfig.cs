using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// kustomize v5.5's built-in transformer configuration (the field specs of api/konfig/builtinpluginconsts), one spec a
/// line as <c>group/version/Kind path</c> with a trailing <c>+</c> when missing parents are created.
/// </summary>
internal static class BuiltinConfig
{
    /// <summary>Selector fields commonLabels (and labels with includeSelectors) also set.</summary>
    public static readonly IReadOnlyList<FieldSpec> SelectorLabels = Parse("""
        /v1/Service spec/selector +
        /v1/ReplicationController spec/selector +
        //Deployment spec/selector/matchLabels +
        apps//Deployment spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
        apps//Deployment spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
        apps//Deployment spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
        apps//Deployment spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
        apps//Deployment spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels
        //ReplicaSet spec/selector/matchLabels +
        //DaemonSet spec/selector/matchLabels +
        apps//StatefulSet spec/selector/matchLabels +
        apps//StatefulSet spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
        apps//StatefulSet spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
        apps//StatefulSet spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
        apps//StatefulSet spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
        apps//StatefulSet spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels
        batch//Job spec/selector/matchLabels
        batch//CronJob spec/jobTemplate/spec/selector/matchLabels
        policy//PodDisruptionBudget spec/selector/matchLabels
        networking.k8s.io//NetworkPolicy spec/podSelector/matchLabels
        networking.k8s.io//NetworkPolicy spec/ingress/from/podSelector/matchLabels
        networking.k8s.io//NetworkPolicy spec/egress/to/podSelector/matchLabels
        """);

    /// <summary>metadata/labels and the pod-template labels (labels with includeTemplates).</summary>
    public static readonly IReadOnlyList<FieldSpec> TemplateLabels = Parse("""
        // metadata/labels +
        /v1/ReplicationController spec/template/metadata/labels +
        //Deployment spec/template/metadata/labels +
        //ReplicaSet spec/template/metadata/labels +
        //DaemonSet spec/template/metadata/labels +
        apps//StatefulSet spec/template/metadata/labels +
        apps//StatefulSet spec/volumeClaimTemplates[]/metadata/labels +
        batch//Job spec/template/metadata/labels +
        batch//CronJob spec/jobTemplate/metadata/labels +
        batch//CronJob spec/jobTemplate/spec/template/metadata/labels +
        """);

    public static readonly IReadOnlyList<FieldSpec> CommonLabels = [.. SelectorLabels, .. TemplateLabels];

    public static readonly IReadOnlyList<FieldSpec> CommonAnnotations = Parse("""
        // metadata/annotations +
        /v1/ReplicationController spec/template/metadata/annotations +
        //Deployment spec/template/metadata/annotations +
        //ReplicaSet spec/template/metadata/annotations +
        //DaemonSet spec/template/metadata/annotations +
        //StatefulSet spec/template/metadata/annotations +
        batch//Job spec/template/metadata/annotations +
        batch//CronJob spec/jobTemplate/metadata/annotations +
        batch//CronJob spec/jobTemplate/spec/template/metadata/annotations +
        """);

    public static readonly IReadOnlyList<FieldSpec> Images = Parse("""
        // spec/containers[]/image +
        // spec/initContainers[]/image +
        // spec/template/spec/containers[]/image +
        // spec/template/spec/initContainers[]/image +
        """);

    public static readonly IReadOnlyList<FieldSpec> Replicas = Parse("""
        //Deployment spec/replicas +
        //ReplicationController spec/replicas +
        //ReplicaSet spec/replicas +
        //StatefulSet spec/replicas +
        """);

    /// <summary>Fields the namespace transformer sets besides metadata/namespace and binding subjects.</summary>
    public static readonly IReadOnlyList<FieldSpec> Namespace = Parse("""
        /v1/Namespace metadata/name +
        apiregistration.k8s.io//APIService spec/service/namespace +
        apiextensions.k8s.io//CustomResourceDefinition spec/conversion/webhook/clientConfig/service/namespace
        """);

    /// <summary>Which fields of which kinds (referrers) hold the name of which kind (the referral), in kustomize's order.</summary>
    public static readonly IReadOnlyList<(GroupVersionKind Target, FieldSpec Referrer)> NameReferences = ParseReferences("""
        //Deployment <- //HorizontalPodAutoscaler spec/scaleTargetRef/name
        //ReplicationController <- //HorizontalPodAutoscaler spec/scaleTargetRef/name
        //ReplicaSet <- //HorizontalPodAutoscaler spec/scaleTargetRef/name
        //StatefulSet <- //HorizontalPodAutoscaler spec/scaleTargetRef/name
        /v1/ConfigMap <- /v1/Pod spec/volumes/configMap/name
        /v1/ConfigMap <- /v1/Pod spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- /v1/Pod spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- /v1/Pod spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- /v1/Pod spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- /v1/Pod spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //PodTemplate template/spec/volumes/configMap/name
        /v1/ConfigMap <- //PodTemplate template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //PodTemplate template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //PodTemplate template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //PodTemplate template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //PodTemplate template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //Deployment spec/template/spec/volumes/configMap/name
        /v1/ConfigMap <- //Deployment spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //Deployment spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //Deployment spec/template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //Deployment spec/template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //Deployment spec/template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //ReplicaSet spec/template/spec/volumes/configMap/name
        /v1/ConfigMap <- //ReplicaSet spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //ReplicaSet spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //ReplicaSet spec/template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //ReplicaSet spec/template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //ReplicaSet spec/template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //DaemonSet spec/template/spec/volumes/configMap/name
        /v1/ConfigMap <- //DaemonSet spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //DaemonSet spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //DaemonSet spec/template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //DaemonSet spec/template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //DaemonSet spec/template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //StatefulSet spec/template/spec/volumes/configMap/name
        /v1/ConfigMap <- //StatefulSet spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //StatefulSet spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //StatefulSet spec/template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //StatefulSet spec/template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //StatefulSet spec/template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //Job spec/template/spec/volumes/configMap/name
        /v1/ConfigMap <- //Job spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //Job spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //Job spec/template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //Job spec/template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //Job spec/template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //CronJob spec/jobTemplate/spec/template/spec/volumes/configMap/name
        /v1/ConfigMap <- //CronJob spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name
        /v1/ConfigMap <- //CronJob spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //CronJob spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name
        /v1/ConfigMap <- //CronJob spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name
        /v1/ConfigMap <- //CronJob spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name
        /v1/ConfigMap <- //Node spec/configSource/configMap
        /v1/ConfigMap <- //Role rules/resourceNames
        /v1/ConfigMap <- //ClusterRole rules/resourceNames
        /v1/ConfigMap <- //Ingress metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap
        /v1/Secret <- /v1/Pod spec/volumes/secret/secretName
        /v1/Secret <- /v1/Pod spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- /v1/Pod spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- /v1/Pod spec/containers/envFrom/secretRef/name
        /v1/Secret <- /v1/Pod spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- /v1/Pod spec/imagePullSecrets/name
        /v1/Secret <- /v1/Pod spec/volumes/projected/sources/secret/name
        /v1/Secret <- //PodTemplate template/spec/volumes/secret/secretName
        /v1/Secret <- //PodTemplate template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //PodTemplate template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //PodTemplate template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //PodTemplate template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //PodTemplate template/spec/imagePullSecrets/name
        /v1/Secret <- //PodTemplate template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //Deployment spec/template/spec/volumes/secret/secretName
        /v1/Secret <- //Deployment spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //Deployment spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //Deployment spec/template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //Deployment spec/template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //Deployment spec/template/spec/imagePullSecrets/name
        /v1/Secret <- //Deployment spec/template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //ReplicaSet spec/template/spec/volumes/secret/secretName
        /v1/Secret <- //ReplicaSet spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //ReplicaSet spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //ReplicaSet spec/template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //ReplicaSet spec/template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //ReplicaSet spec/template/spec/imagePullSecrets/name
        /v1/Secret <- //ReplicaSet spec/template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //DaemonSet spec/template/spec/volumes/secret/secretName
        /v1/Secret <- //DaemonSet spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //DaemonSet spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //DaemonSet spec/template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //DaemonSet spec/template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //DaemonSet spec/template/spec/imagePullSecrets/name
        /v1/Secret <- //DaemonSet spec/template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //StatefulSet spec/template/spec/volumes/secret/secretName
        /v1/Secret <- //StatefulSet spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //StatefulSet spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //StatefulSet spec/template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //StatefulSet spec/template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //StatefulSet spec/template/spec/imagePullSecrets/name
        /v1/Secret <- //StatefulSet spec/template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //Job spec/template/spec/volumes/secret/secretName
        /v1/Secret <- //Job spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //Job spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //Job spec/template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //Job spec/template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //Job spec/template/spec/imagePullSecrets/name
        /v1/Secret <- //Job spec/template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/volumes/secret/secretName
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name
        /v1/Secret <- //CronJob spec/jobTemplate/spec/template/spec/imagePullSecrets/name
        /v1/Secret <- //Ingress spec/tls/secretName
        /v1/Secret <- //Ingress metadata/annotations/ingress.kubernetes.io\/auth-secret
        /v1/Secret <- //Ingress metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret
        /v1/Secret <- //Ingress metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret
        /v1/Secret <- //Ingress spec/tls/secretName
        /v1/Secret <- //ServiceAccount imagePullSecrets/name
        /v1/Secret <- //StorageClass parameters/secretName
        /v1/Secret <- //StorageClass parameters/adminSecretName
        /v1/Secret <- //StorageClass parameters/userSecretName
        /v1/Secret <- //StorageClass parameters/secretRef
        /v1/Secret <- //Role rules/resourceNames
        /v1/Secret <- //ClusterRole rules/resourceNames
        /v1/Secret <- serving.knative.dev/v1/Service spec/template/spec/containers/env/valueFrom/secretKeyRef/name
        /v1/Secret <- //PersistentVolume spec/azureFile/secretName
        /v1/Service <- apps//StatefulSet spec/serviceName
        /v1/Service <- //Ingress spec/rules/http/paths/backend/serviceName
        /v1/Service <- //Ingress spec/backend/serviceName
        /v1/Service <- //Ingress spec/rules/http/paths/backend/service/name
        /v1/Service <- //Ingress spec/defaultBackend/service/name
        /v1/Service <- apiregistration.k8s.io//APIService spec/service/name
        /v1/Service <- admissionregistration.k8s.io//ValidatingWebhookConfiguration webhooks/clientConfig/service
        /v1/Service <- admissionregistration.k8s.io//MutatingWebhookConfiguration webhooks/clientConfig/service
        rbac.authorization.k8s.io//Role <- rbac.authorization.k8s.io//RoleBinding roleRef/name
        rbac.authorization.k8s.io//ClusterRole <- rbac.authorization.k8s.io//RoleBinding roleRef/name
        rbac.authorization.k8s.io//ClusterRole <- rbac.authorization.k8s.io//ClusterRoleBinding roleRef/name
        /v1/ServiceAccount <- rbac.authorization.k8s.io//RoleBinding subjects
        /v1/ServiceAccount <- rbac.authorization.k8s.io//ClusterRoleBinding subjects
        /v1/ServiceAccount <- //Pod spec/serviceAccountName
        /v1/ServiceAccount <- //StatefulSet spec/template/spec/serviceAccountName
        /v1/ServiceAccount <- //Deployment spec/template/spec/serviceAccountName
        /v1/ServiceAccount <- //ReplicationController spec/template/spec/serviceAccountName
        /v1/ServiceAccount <- //CronJob spec/jobTemplate/spec/template/spec/serviceAccountName
        /v1/ServiceAccount <- //Job spec/template/spec/serviceAccountName
        /v1/ServiceAccount <- //DaemonSet spec/template/spec/serviceAccountName
        /v1/PersistentVolumeClaim <- //Pod spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolumeClaim <- //StatefulSet spec/template/spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolumeClaim <- //Deployment spec/template/spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolumeClaim <- //ReplicationController spec/template/spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolumeClaim <- //CronJob spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolumeClaim <- //Job spec/template/spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolumeClaim <- //DaemonSet spec/template/spec/volumes/persistentVolumeClaim/claimName
        /v1/PersistentVolume <- //PersistentVolumeClaim spec/volumeName
        /v1/PersistentVolume <- //ClusterRole rules/resourceNames
        storage.k8s.io/v1/StorageClass <- //PersistentVolume spec/storageClassName
        storage.k8s.io/v1/StorageClass <- //PersistentVolumeClaim spec/storageClassName
        storage.k8s.io/v1/StorageClass <- //StatefulSet spec/volumeClaimTemplates/spec/storageClassName
        scheduling.k8s.io/v1/PriorityClass <- //Pod spec/priorityClassName
        scheduling.k8s.io/v1/PriorityClass <- //StatefulSet spec/template/spec/priorityClassName
        scheduling.k8s.io/v1/PriorityClass <- //Deployment spec/template/spec/priorityClassName
        scheduling.k8s.io/v1/PriorityClass <- //ReplicationController spec/template/spec/priorityClassName
        scheduling.k8s.io/v1/PriorityClass <- //CronJob spec/jobTemplate/spec/template/spec/priorityClassName
        scheduling.k8s.io/v1/PriorityClass <- //Job spec/template/spec/priorityClassName
        scheduling.k8s.io/v1/PriorityClass <- //DaemonSet spec/template/spec/priorityClassName
        networking.k8s.io/v1/v1/IngressClass <- //Ingress spec/ingressClassName
        admissionregistration.k8s.io//ValidatingAdmissionPolicy <- admissionregistration.k8s.io//ValidatingAdmissionPolicyBinding spec/policyName
        """);

    private static List<FieldSpec> Parse(string table) =>
        [.. Lines(table).Select(ParseSpec)];

    private static List<(GroupVersionKind, FieldSpec)> ParseReferences(string table) =>
        [.. Lines(table).Select(line => line.Split(" <- ", 2)).Select(p => (ParseGvk(p[0]), ParseSpec(p[1])))];

    private static IEnumerable<string> Lines(string table) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static FieldSpec ParseSpec(string line)
    {
        var parts = line.Split(' ');
        return new FieldSpec(ParseGvk(parts[0]), parts[1], parts.Length > 2 && parts[2] == "+");
    }

    private static GroupVersionKind ParseGvk(string text)
    {
        // Split from the right: kustomize's IngressClass entry has the group "networking.k8s.io/v1", which never matches.
        var kind = text.LastIndexOf('/');
        var version = text.LastIndexOf('/', kind - 1);
        return new GroupVersionKind(text[..version], text[(version + 1)..kind], text[(kind + 1)..]);
    }
}
