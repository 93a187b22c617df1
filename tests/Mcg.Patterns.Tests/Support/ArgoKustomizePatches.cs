using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Patterns.Tests.Support;

/// <summary>
/// What Argo CD does with an Application's <c>spec.source.kustomize.patches</c>: a copy of the application directory
/// whose kustomization lists the patches too (Argo CD runs <c>kustomize edit add patch</c> before <c>kustomize build</c>).
/// </summary>
public static class ArgoKustomizePatches
{
    public static string Apply(string appDirectory, JsonObject? kustomize)
    {
        var copy = Directory.CreateTempSubdirectory("mcg-kustomize-").FullName;
        foreach (var file in Directory.GetFiles(appDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(appDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        if (kustomize?["patches"] is JsonArray { Count: > 0 } patches)
        {
            // Appended as a JSON (flow YAML) key rather than re-serialising the file, which would re-quote its strings.
            var file = Path.Combine(copy, "kustomization.yaml");
            var text = File.ReadAllText(file);
            if (((JsonObject)YamlJson.Parse(text)!).ContainsKey("patches"))
            {
                throw new InvalidOperationException($"{file} already has patches: merge them by hand");
            }
            File.WriteAllText(file, text.TrimEnd('\n') + "\npatches: " + patches.ToJsonString() + "\n");
        }
        return copy;
    }
}
