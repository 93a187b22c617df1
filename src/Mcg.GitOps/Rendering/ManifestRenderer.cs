using System.Diagnostics;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Rendering.Kustomize;

namespace Mcg.GitOps.Rendering;

/// <summary>Picks the renderer Argo CD would: Kustomize when the path holds a kustomization, else a plain directory.</summary>
public sealed class ManifestRenderer(RenderMetrics? metrics = null) : IManifestRenderer
{
    private readonly KustomizeRenderer _kustomize = new();
    private readonly DirectoryRenderer _directory = new();

    public IReadOnlyList<JsonObject> Render(string root, ApplicationSource source)
    {
        var started = Stopwatch.GetTimestamp();
        var kustomize = FileLoader.KustomizationFileNames.Any(n => File.Exists(Path.Combine(root, n)));
        var objects = kustomize ? _kustomize.Render(root, source.Kustomize) : _directory.Render(root, source.Directory);
        (metrics ?? RenderMetrics.Shared).Record(kustomize ? "kustomize" : "directory", Stopwatch.GetElapsedTime(started));
        return objects;
    }
}
