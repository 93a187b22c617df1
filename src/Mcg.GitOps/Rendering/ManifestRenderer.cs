using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Rendering.Kustomize;

namespace Mcg.GitOps.Rendering;

/// <summary>Picks the renderer Argo CD would: Kustomize when the path holds a kustomization, else a plain directory.</summary>
public sealed class ManifestRenderer : IManifestRenderer
{
    private readonly KustomizeRenderer _kustomize = new();
    private readonly DirectoryRenderer _directory = new();

    public IReadOnlyList<JsonObject> Render(string root, ApplicationSource source) =>
        FileLoader.KustomizationFileNames.Any(n => File.Exists(Path.Combine(root, n)))
            ? _kustomize.Render(root)
            : _directory.Render(root, source.Directory);
}
