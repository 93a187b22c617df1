using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>Sets string pairs into the maps the field specs name: commonLabels, labels, commonAnnotations.</summary>
internal static class MetadataMapTransformer
{
    public static void Apply(ResourceAccumulator resources, IReadOnlyList<KeyValuePair<string, string>> pairs, IEnumerable<FieldSpec> specs, string file)
    {
        if (pairs.Count == 0)
        {
            return;
        }
        var specList = specs.ToList();
        foreach (var r in resources.Resources)
        {
            var gvk = r.Gvk;
            foreach (var spec in specList.Where(s => s.Selects(gvk)))
            {
                spec.Walk(r.Obj, gvk, (parent, field) =>
                {
                    var map = parent[field];
                    if (map is null || map.GetValueKind() == JsonValueKind.Null)
                    {
                        // An explicit null counts as present: kustomize turns it into a map.
                        if (!spec.Create && !parent.ContainsKey(field))
                        {
                            return;
                        }
                        map = new JsonObject();
                        parent[field] = map;
                    }
                    if (map is not JsonObject obj)
                    {
                        throw new RenderException($"{r.CurId}: field \"{spec.Path}\" is not a map", file);
                    }
                    foreach (var (k, v) in pairs)
                    {
                        obj[k] = v;
                    }
                });
            }
        }
    }

    /// <summary>The field specs of one <c>labels</c> entry.</summary>
    public static IEnumerable<FieldSpec> LabelSpecs(LabelEntry entry)
    {
        IEnumerable<FieldSpec> defaults = entry.IncludeSelectors
            ? BuiltinConfig.CommonLabels
            : entry.IncludeTemplates ? BuiltinConfig.TemplateLabels : [BuiltinConfig.TemplateLabels[0]];
        return entry.Fields.Concat(defaults);
    }
}
