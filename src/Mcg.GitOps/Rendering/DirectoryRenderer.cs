using System.Text.Json.Nodes;
using Mcg.GitOps.Rendering.Kustomize;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering;

/// <summary>
/// Renders a plain directory of manifests as Argo CD's directory source does: <c>.yaml</c>, <c>.yml</c> and <c>.json</c>
/// files in path order (recursively when asked), filtered by the include/exclude globs, each holding one or more YAML
/// documents or a JSON object; Lists are unpacked into their items. Thread-safe.
/// </summary>
public sealed class DirectoryRenderer
{
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json", ".jsonnet"];

    public IReadOnlyList<JsonObject> Render(string directory, DirectoryOptions options)
    {
        var root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new RenderException($"directory '{directory}' does not exist");
        }
        var include = string.IsNullOrEmpty(options.Include) ? null : new GlobPattern(options.Include);
        var exclude = string.IsNullOrEmpty(options.Exclude) ? null : new GlobPattern(options.Exclude);
        var result = new List<JsonObject>();
        foreach (var file in Files(root, root, options.Recurse))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (!ManifestExtensions.Any(e => file.EndsWith(e, StringComparison.Ordinal))
                || (exclude?.IsMatch(relative) ?? false) || !(include?.IsMatch(relative) ?? true))
            {
                continue;
            }
            if (file.EndsWith(".jsonnet", StringComparison.Ordinal))
            {
                throw new RenderException("jsonnet files are not supported", relative);
            }
            result.AddRange(Load(File.ReadAllText(file), relative, isJson: file.EndsWith(".json", StringComparison.Ordinal)));
        }
        return result;
    }

    /// <summary>
    /// A JSON file must be an object. A YAML file that is not a stream of objects is skipped as unrelated — unless its
    /// first document is already an object, or its text looks like a manifest (apiVersion:, kind: and metadata:).
    /// </summary>
    private static IEnumerable<JsonObject> Load(string text, string relative, bool isJson)
    {
        if (isJson)
        {
            return Objects(FileLoader.ParseYaml(text, relative), relative);
        }
        try
        {
            return Objects(FileLoader.ParseYaml(text, relative), relative).ToList();
        }
        catch (RenderException) when (!LooksLikeManifest(text) && !StartsWithObject(text, relative))
        {
            return [];
        }
    }

    private static bool LooksLikeManifest(string text) =>
        text.Contains("apiVersion:", StringComparison.Ordinal) && text.Contains("kind:", StringComparison.Ordinal)
        && text.Contains("metadata:", StringComparison.Ordinal);

    private static bool StartsWithObject(string text, string relative)
    {
        try
        {
            return FileLoader.ParseYaml(text, relative) is [JsonObject first, ..] && first.Kind() is not null && first.ApiVersion() is not null;
        }
        catch (RenderException)
        {
            return false;
        }
    }

    /// <summary>Files in the order Go's filepath.Walk visits them: entries of each directory sorted by name.</summary>
    private static IEnumerable<string> Files(string root, string directory, bool recurse)
    {
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            if (System.IO.Directory.Exists(entry))
            {
                if (recurse)
                {
                    foreach (var file in Files(root, entry, recurse))
                    {
                        yield return file;
                    }
                }
            }
            else
            {
                yield return entry;
            }
        }
    }

    private static IEnumerable<JsonObject> Objects(IEnumerable<JsonNode?> documents, string file)
    {
        foreach (var doc in documents)
        {
            if (doc is not JsonObject obj)
            {
                throw new RenderException("a manifest must be a YAML or JSON object", file);
            }
            if (obj.Kind() is null || obj.ApiVersion() is null)
            {
                throw new RenderException("object has no apiVersion or kind", file);
            }
            if (obj.Kind()!.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
            {
                foreach (var item in Objects(items.Select(i => i?.DeepClone()).ToList(), file))
                {
                    yield return item;
                }
                continue;
            }
            yield return obj;
        }
    }
}
