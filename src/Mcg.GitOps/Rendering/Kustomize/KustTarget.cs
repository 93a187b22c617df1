using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// The build of one kustomization, in kustomize's order: resources (sub-kustomizations built on their own), generators,
/// components (which act on what has been accumulated so far), then this level's transformers.
/// </summary>
internal sealed class KustTarget(FileLoader loader, Kustomization kustomization, IReadOnlyList<string> stack)
{
    private string File => loader.Display(kustomization.File);

    public static Kustomization LoadDirectory(FileLoader loader, string directory, string? referrer, bool component, JsonObject? applicationOptions = null)
    {
        var kfile = loader.FindKustomization(directory) ?? throw new RenderException(
            $"unable to find one of {string.Join(", ", FileLoader.KustomizationFileNames.Select(n => $"'{n}'"))} in directory '{loader.Display(directory)}'",
            referrer);
        var k = Kustomization.Load(loader, kfile, applicationOptions);
        if (referrer is not null && k.IsComponent != component)
        {
            throw new RenderException(
                $"expected kind '{(component ? "Component" : "Kustomization")}' for path '{loader.Display(directory)}' but got '{(k.IsComponent ? "Component" : "Kustomization")}'",
                referrer);
        }
        return k;
    }

    public ResourceAccumulator Accumulate()
    {
        var ra = new ResourceAccumulator();
        AccumulateInto(ra);
        return ra;
    }

    private void AccumulateInto(ResourceAccumulator ra)
    {
        foreach (var entry in kustomization.Resources)
        {
            AccumulateResource(ra, entry);
        }
        foreach (var generator in kustomization.Generators)
        {
            ra.Absorb(DataGenerator.Generate(generator, kustomization.GeneratorOptions, loader, kustomization.Directory, File), File);
        }
        foreach (var entry in kustomization.Components)
        {
            var directory = SubDirectory(entry, "components");
            var component = LoadDirectory(loader, directory, File, component: true);
            new KustTarget(loader, component, [.. stack, directory]).AccumulateInto(ra);
        }
        RunTransformers(ra);
    }

    private string SubDirectory(string entry, string field)
    {
        FileLoader.RejectRemote(entry, File, field);
        var full = Path.GetFullPath(Path.Combine(kustomization.Directory, entry));
        if (!Directory.Exists(full))
        {
            throw new RenderException($"{field}: '{entry}' is not a directory", File);
        }
        if (stack.Contains(full))
        {
            throw new RenderException($"{field}: cycle detected: '{entry}' is already being built", File);
        }
        return full;
    }

    private void AccumulateResource(ResourceAccumulator ra, string entry)
    {
        FileLoader.RejectRemote(entry, File, "resources");
        var full = Path.GetFullPath(Path.Combine(kustomization.Directory, entry));
        if (Directory.Exists(full))
        {
            var directory = SubDirectory(entry, "resources");
            var sub = LoadDirectory(loader, directory, File, component: false);
            ra.AppendAll(new KustTarget(loader, sub, [.. stack, directory]).Accumulate().Resources, File);
            return;
        }
        var path = loader.ResolveFile(kustomization.Directory, entry, File, "resources");
        ra.AppendAll(ReadResources(loader, path), File);
    }

    /// <summary>The objects of a resource file; Lists (any kind ending in "List") are unpacked after the file's other documents.</summary>
    public static List<Resource> ReadResources(FileLoader loader, string path)
    {
        var display = loader.Display(path);
        var queue = new Queue<JsonNode?>(loader.ParseFile(path));
        var result = new List<Resource>();
        while (queue.TryDequeue(out var doc))
        {
            if (doc is not JsonObject obj)
            {
                throw new RenderException("a resource must be a YAML map", display);
            }
            var kind = obj.Kind() ?? throw new RenderException("missing kind in object", display);
            if (kind.EndsWith("List", StringComparison.Ordinal))
            {
                // Like kustomize, any kind ending in "List" is a list: no items is an empty one.
                var items = obj["items"] switch
                {
                    null => [],
                    JsonArray a => a.ToList(),
                    _ => throw new RenderException($"expected an array in {kind}/items", display),
                };
                foreach (var item in items)
                {
                    queue.Enqueue(item?.DeepClone());
                }
                continue;
            }
            if (string.IsNullOrEmpty(obj.Name()))
            {
                throw new RenderException($"missing metadata.name in {kind} object", display);
            }
            result.Add(new Resource(obj));
        }
        return result;
    }

    private void RunTransformers(ResourceAccumulator ra)
    {
        var k = kustomization;
        foreach (var entry in k.PatchesStrategicMerge)
        {
            PatchTransformer.ApplyStrategicMergeEntry(ra, entry, k, loader);
        }
        foreach (var patch in k.Patches)
        {
            PatchTransformer.Apply(ra, patch, k, loader);
        }
        if (!string.IsNullOrEmpty(k.Namespace))
        {
            NamespaceTransformer.Apply(ra, k.Namespace);
        }
        NameAffixTransformer.Apply(ra, k.NamePrefix ?? "", k.NameSuffix ?? "");
        foreach (var label in k.Labels)
        {
            MetadataMapTransformer.Apply(ra, label.Pairs, MetadataMapTransformer.LabelSpecs(label), File);
        }
        MetadataMapTransformer.Apply(ra, k.CommonLabels, BuiltinConfig.CommonLabels, File);
        MetadataMapTransformer.Apply(ra, k.CommonAnnotations, BuiltinConfig.CommonAnnotations, File);
        foreach (var patch in k.PatchesJson6902)
        {
            PatchTransformer.Apply(ra, patch, k, loader);
        }
        foreach (var replica in k.Replicas)
        {
            ReplicaTransformer.Apply(ra, replica, File);
        }
        foreach (var image in k.Images)
        {
            ImageTransformer.Apply(ra, image);
        }
        foreach (var replacement in k.Replacements)
        {
            ReplacementTransformer.Apply(ra, replacement, k, loader);
        }
    }
}
