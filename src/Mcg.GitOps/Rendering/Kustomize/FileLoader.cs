using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using YamlDotNet.Core;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// Reads the files of one build: paths are resolved against a kustomization directory and, like kustomize's default
/// load restrictor, files must lie in or below it. Errors name files relative to the root being rendered.
/// </summary>
internal sealed class FileLoader(string root)
{
    public static readonly string[] KustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The path as error messages show it: relative to the root when under it.</summary>
    public string Display(string path)
    {
        var relative = Path.GetRelativePath(Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative.Replace('\\', '/');
    }

    /// <summary>The kustomization file of <paramref name="directory"/>, or null when it has none.</summary>
    public string? FindKustomization(string directory)
    {
        var found = KustomizationFileNames.Select(n => Path.Combine(directory, n)).Where(File.Exists).ToList();
        if (found.Count > 1)
        {
            throw new RenderException($"found multiple kustomization files: {string.Join(", ", found.Select(Path.GetFileName))}", Display(directory));
        }
        return found.FirstOrDefault();
    }

    /// <summary>
    /// Resolves <paramref name="relative"/> against <paramref name="directory"/>, refusing remote and out-of-tree files;
    /// <paramref name="referrer"/> is the kustomization file as errors show it.
    /// </summary>
    public string ResolveFile(string directory, string relative, string referrer, string field)
    {
        RejectRemote(relative, referrer, field);
        var full = Path.GetFullPath(Path.Combine(directory, relative));
        if (!File.Exists(full))
        {
            throw new RenderException($"{field}: file \"{relative}\" does not exist", referrer);
        }
        var dir = Path.GetFullPath(directory);
        if (!full.StartsWith(dir.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new RenderException($"{field}: security; file \"{relative}\" is not in or below \"{Display(dir)}\"", referrer);
        }
        return full;
    }

    public static void RejectRemote(string path, string referrer, string field)
    {
        if (path.Contains("://", StringComparison.Ordinal) || path.StartsWith("git@", StringComparison.Ordinal)
            || path.StartsWith("github.com/", StringComparison.Ordinal))
        {
            throw new RenderException($"{field}: remote resource \"{path}\" is not supported (only local paths are)", referrer);
        }
    }

    public string ReadText(string path) => File.ReadAllText(path);

    /// <summary>Parses every document of a YAML (or JSON) file; syntax errors name the file and line.</summary>
    public IReadOnlyList<JsonNode?> ParseFile(string path) => ParseYaml(ReadText(path), Display(path));

    public static IReadOnlyList<JsonNode?> ParseYaml(string text, string displayName)
    {
        try
        {
            return YamlJson.ParseAll(text, displayName);
        }
        catch (FormatException e) when (e.Message.Contains("merge keys", StringComparison.Ordinal))
        {
            // Rare enough to take the slower reader that expands them.
            return KustomizeYaml.ParseAll(text, displayName, yaml11: false);
        }
        catch (FormatException e)
        {
            var line = e.InnerException is YamlException ye ? (int)ye.Start.Line : LineOf(e.Message);
            var message = e.InnerException is YamlException inner ? inner.InnerException?.Message ?? inner.Message : StripLine(e.Message, displayName);
            throw new RenderException($"invalid YAML: {message}", displayName, line);
        }
    }

    private static int? LineOf(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"line (\d+)");
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static string StripLine(string message, string displayName)
    {
        var text = message.StartsWith(displayName + ": ", StringComparison.Ordinal) ? message[(displayName.Length + 2)..] : message;
        return System.Text.RegularExpressions.Regex.Replace(text, @"^line \d+: ", "");
    }
}
