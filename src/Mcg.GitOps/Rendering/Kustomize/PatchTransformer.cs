using System.Text.Json.Nodes;
using Mcg.Kube.Patching;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary><c>patches</c>, <c>patchesStrategicMerge</c> and <c>patchesJson6902</c>.</summary>
internal static class PatchTransformer
{
    public static void Apply(ResourceAccumulator resources, PatchEntry entry, Kustomization k, FileLoader loader)
    {
        var file = loader.Display(k.File);
        var (text, source) = entry.Path is { } path
            ? (loader.ReadText(loader.ResolveFile(k.Directory, path, file, "patches")), loader.Display(Path.Combine(k.Directory, path)))
            : (entry.Patch!, file);
        var docs = FileLoader.ParseYaml(text, source);
        if (docs.Count == 1 && docs[0] is JsonArray)
        {
            if (entry.Target is null)
            {
                throw new RenderException("must specify a target for JSON patch", file);
            }
            ApplyJson(resources, entry.Target, KustomizeYaml.ParseYaml11(text, source)!, source, file);
            return;
        }
        if (docs.Count == 0 || docs.Any(d => d is not JsonObject))
        {
            throw new RenderException("unable to parse the patch as a strategic merge patch or a JSON patch", source);
        }
        var patches = docs.Cast<JsonObject>().ToList();
        if (entry.Target is not null)
        {
            if (patches.Count > 1)
            {
                throw new RenderException("multiple strategic merge patches in one patches entry cannot have a target", source);
            }
            foreach (var r in entry.Target.SelectFrom(resources.Resources, file))
            {
                ApplyStrategicMerge(resources, r, patches[0], entry.AllowNameChange, entry.AllowKindChange);
            }
            return;
        }
        foreach (var patch in patches)
        {
            var target = resources.GetById(ResId.Of(patch), source);
            ApplyStrategicMerge(resources, target, patch, entry.AllowNameChange, entry.AllowKindChange);
        }
    }

    /// <summary>patchesStrategicMerge entries are file paths or, failing that, inline patches.</summary>
    public static void ApplyStrategicMergeEntry(ResourceAccumulator resources, string entry, Kustomization k, FileLoader loader)
    {
        var file = loader.Display(k.File);
        var inline = entry.Contains('\n') || FileLoader.ParseYaml(entry, file) is [JsonObject];
        Apply(resources, inline ? new PatchEntry(null, entry, null, false, false) : new PatchEntry(entry, null, null, false, false), k, loader);
    }

    public static void ApplyJson6902(ResourceAccumulator resources, PatchEntry entry, Kustomization k, FileLoader loader) =>
        Apply(resources, entry, k, loader);

    private static void ApplyJson(ResourceAccumulator resources, Selector target, JsonNode operations, string source, string file)
    {
        foreach (var r in target.SelectFrom(resources.Resources, file))
        {
            r.StorePreviousId();
            try
            {
                r.Obj = JsonPatch.Apply(r.Obj, operations) as JsonObject
                    ?? throw new RenderException($"JSON patch turned {r.CurId} into something other than an object", source);
            }
            catch (PatchException e)
            {
                throw new RenderException($"applying JSON patch to {r.CurId}: {e.Message}", source);
            }
        }
    }

    private static void ApplyStrategicMerge(ResourceAccumulator resources, Resource r, JsonObject patch, bool allowName, bool allowKind)
    {
        var (name, ns, kind) = (r.Name, r.Namespace, r.Gvk.Kind);
        if (allowName || allowKind)
        {
            r.StorePreviousId();
        }
        var copy = patch.DeepClone().AsObject();
        copy["apiVersion"] = r.Obj["apiVersion"]?.DeepClone();
        var merged = StrategicMerge.Apply(r.Obj, copy);
        if (merged is null || merged.Count == 0)
        {
            resources.RemoveWhere(x => ReferenceEquals(x, r));
            return;
        }
        r.Obj = merged;
        if (!allowKind)
        {
            merged["kind"] = kind;
        }
        if (!allowName)
        {
            r.SetName(name);
        }
        r.SetNamespace(ns);
    }
}
