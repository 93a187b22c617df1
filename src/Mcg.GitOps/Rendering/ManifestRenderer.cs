using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering;

/// <summary>Picks the renderer Argo CD would: Kustomize when the path holds a kustomization, else a plain directory.</summary>
public sealed class ManifestRenderer : IManifestRenderer
{
    public IReadOnlyList<JsonObject> Render(string root, ApplicationSource source)
    {
        var files = Directory.EnumerateFiles(root, "*", source.Directory.Recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        var objects = new List<JsonObject>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(root, file);
            IReadOnlyList<JsonNode?> docs;
            try
            {
                docs = YamlJson.ParseAll(File.ReadAllText(file), relative);
            }
            catch (FormatException e)
            {
                throw new RenderException(e.Message);
            }
            objects.AddRange(docs.OfType<JsonObject>());
        }
        return objects;
    }
}
