namespace Mcg.Patterns.Generation;

/// <summary>Labels and annotations on what the pattern controller generates.</summary>
public static class PatternLabels
{
    /// <summary>Upstream: every Application carries the pattern's name.</summary>
    public const string Pattern = "validatedpatterns.io/pattern";

    /// <summary>Upstream: Namespaces are labelled with the Argo CD instance managing them (<c>&lt;pattern&gt;-&lt;group&gt;</c>).</summary>
    public const string ManagedBy = "argocd.argoproj.io/managed-by";

    public const string ClusterGroup = "validatedpatterns.io/cluster-group";
    public const string Cluster = "validatedpatterns.io/cluster";

    /// <summary>Tracks every object a Pattern resource generated (value: the Pattern's namespace and name), for pruning.</summary>
    public const string Owner = "gitops.hybrid-cloud-patterns.io/pattern-owner";

    /// <summary>On an Application mcg cannot render yet: why (e.g. <see cref="SourceDetector.HelmUnsupported"/>).</summary>
    public const string UnsupportedAnnotation = "gitops.hybrid-cloud-patterns.io/comparison-error";

    /// <summary>On a ConfigMap of a Kustomize application: the cluster facts are written into its data (see <see cref="KustomizeFacts"/>).</summary>
    public const string GlobalValuesSelector = "validatedpatterns.io/global-values";

    public static string OwnerValue(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}.{name}";
}
