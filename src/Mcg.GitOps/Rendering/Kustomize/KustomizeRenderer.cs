using System.Text.Json.Nodes;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// Renders a kustomization directory natively, producing what <c>kubectl kustomize</c> (kustomize v5.5) prints, object for
/// object and in the same order. Local sources only; fields it does not implement are errors, never ignored.
/// Stateless and thread-safe.
/// </summary>
public sealed class KustomizeRenderer
{
    /// <param name="applicationOptions">An Application's <c>spec.source.kustomize</c> (what Argo CD sets with <c>kustomize edit</c>).</param>
    public IReadOnlyList<JsonObject> Render(string directory, JsonObject? applicationOptions = null)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new RenderException($"directory '{directory}' does not exist");
        }
        var loader = new FileLoader(root);
        var kustomization = KustTarget.LoadDirectory(loader, root, referrer: null, component: false, applicationOptions);
        var resources = new KustTarget(loader, kustomization, [root]).Accumulate().Resources;
        foreach (var r in resources.Where(r => r.NeedsHash))
        {
            r.StorePreviousId();
            r.SetName($"{r.Name}-{NameHasher.Hash(r.Obj)}");
        }
        NameReferenceTransformer.Apply(resources, loader.Display(kustomization.File));
        return ResourceOrder.Sort(resources, kustomization.SortOptions).Select(r => r.Obj).ToList();
    }
}
