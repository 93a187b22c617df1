using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>A resource identity: group/version/kind, name and namespace.</summary>
internal readonly record struct ResId(GroupVersionKind Gvk, string Name, string Namespace)
{
    private const string ClusterScopedNamespace = "_non_namespaceable_";

    public static ResId Of(JsonObject obj) => new(obj.Gvk(), obj.Name() ?? "", obj.Namespace() ?? "");

    public bool IsClusterScoped => Scopes.IsClusterScoped(Gvk);

    /// <summary>The namespace as kustomize compares it: unset means "default"; cluster-scoped objects have none.</summary>
    public string EffectiveNamespace =>
        IsClusterScoped ? ClusterScopedNamespace : Namespace is "" or "default" ? "default" : Namespace;

    public bool IsNsEquals(ResId other) => EffectiveNamespace == other.EffectiveNamespace;

    /// <summary>Same kind, name and (effective) namespace.</summary>
    public bool Matches(ResId other) => Gvk == other.Gvk && Name == other.Name && IsNsEquals(other);

    /// <summary>kustomize's IsSelectedBy: empty selector fields match anything.</summary>
    public bool IsSelectedBy(ResId selector) =>
        (selector.Name.Length == 0 || selector.Name == Name)
        && (selector.Namespace.Length == 0 || selector.IsNsEquals(this))
        && Scopes.IsSelected(Gvk, selector.Gvk);

    /// <summary>The GVK part of kustomize's sort key: empty parts become "~G"/"~V"/"~K".</summary>
    public static string GvkKey(GroupVersionKind gvk) =>
        $"{(gvk.Group.Length == 0 ? "~G" : gvk.Group)}_{(gvk.Version.Length == 0 ? "~V" : gvk.Version)}_{(gvk.Kind.Length == 0 ? "~K" : gvk.Kind)}";

    public override string ToString() =>
        $"{GvkKey(Gvk)}|{(Namespace.Length == 0 ? "~X" : Namespace)}|{(Name.Length == 0 ? "~N" : Name)}";
}
