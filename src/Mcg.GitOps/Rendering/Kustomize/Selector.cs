using System.Text.RegularExpressions;
using Mcg.Kube.Objects;
using Mcg.Kube.Selectors;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// A patch target or replacement selector. Patch targets match group, version, kind, name and namespace as anchored
/// regular expressions against the original or the current id; replacements match them exactly against any id.
/// </summary>
internal sealed record Selector(string Group, string Version, string Kind, string Name, string Namespace, string? LabelSelector, string? AnnotationSelector)
{
    public static readonly HashSet<string> Fields = ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"];

    public ResId Id => new(new GroupVersionKind(Group, Version, Kind), Name, Namespace);

    public static Selector Read(KustomizationReader r, IEnumerable<string>? extraFields = null)
    {
        r.OnlyFields(extraFields is null ? Fields : [.. Fields, .. extraFields]);
        return new Selector(r.String("group") ?? "", r.String("version") ?? "", r.String("kind") ?? "", r.String("name") ?? "",
            r.String("namespace") ?? "", r.String("labelSelector"), r.String("annotationSelector"));
    }

    /// <summary>kustomize's ResMap.Select.</summary>
    public IReadOnlyList<Resource> SelectFrom(IEnumerable<Resource> resources, string file)
    {
        var group = Pattern(Group, file);
        var version = Pattern(Version, file);
        var kind = Pattern(Kind, file);
        var name = Pattern(Name, file);
        var ns = Pattern(Namespace, file);
        var labels = ParseSelector(LabelSelector, file);
        var annotations = ParseSelector(AnnotationSelector, file);
        return resources.Where(r =>
        {
            var (cur, org) = (r.CurId, r.OrgId);
            var gvk = r.Gvk;
            return (ns.IsMatch(org.EffectiveNamespace) || ns.IsMatch(cur.EffectiveNamespace))
                && (name.IsMatch(org.Name) || name.IsMatch(cur.Name))
                && group.IsMatch(gvk.Group) && version.IsMatch(gvk.Version) && kind.IsMatch(gvk.Kind)
                && labels.Matches(r.Obj.Labels()) && annotations.Matches(r.Obj.Annotations());
        }).ToList();
    }

    /// <summary>kustomize's label/annotation filtering of replacement targets.</summary>
    public bool MatchesLabelsAndAnnotations(Resource r, string file) =>
        ParseSelector(LabelSelector, file).Matches(r.Obj.Labels()) && ParseSelector(AnnotationSelector, file).Matches(r.Obj.Annotations());

    public override string ToString() => $"{Id}";

    private static Regex Pattern(string value, string file)
    {
        try
        {
            return new Regex(value.Length == 0 ? "" : $"^(?:{value})$", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new RenderException($"invalid selector pattern \"{value}\": {e.Message}", file);
        }
    }

    private static LabelSelector ParseSelector(string? text, string file)
    {
        try
        {
            return Mcg.Kube.Selectors.LabelSelector.Parse(text);
        }
        catch (FormatException e)
        {
            throw new RenderException(e.Message, file);
        }
    }
}
