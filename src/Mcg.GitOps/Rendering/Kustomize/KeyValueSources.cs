using System.Text;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>The key/value pairs of a ConfigMap or Secret generator, read as kustomize's kv loader does: env files, then literals, then files.</summary>
internal static class KeyValueSources
{
    public static List<(string Key, byte[] Value)> Load(GeneratorEntry g, FileLoader loader, string directory, string file)
    {
        var pairs = new List<(string Key, byte[] Value)>();
        foreach (var env in g.Envs)
        {
            var path = loader.ResolveFile(directory, env, file, "envs");
            pairs.AddRange(EnvFile(File.ReadAllBytes(path), loader.Display(path)).Select(p => (p.Key, Encoding.UTF8.GetBytes(p.Value))));
        }
        foreach (var literal in g.Literals)
        {
            var eq = literal.IndexOf('=');
            if (eq <= 0)
            {
                throw new RenderException($"invalid literal source \"{literal}\", expected key=value", file);
            }
            pairs.Add((literal[..eq], Encoding.UTF8.GetBytes(RemoveQuotes(literal[(eq + 1)..]))));
        }
        foreach (var source in g.Files)
        {
            var eq = source.IndexOf('=');
            var (key, relative) = eq < 0 ? (Path.GetFileName(source), source) : (source[..eq], source[(eq + 1)..]);
            if (key.Length == 0 || relative.Length == 0)
            {
                throw new RenderException($"invalid file source \"{source}\", expected [key=]path", file);
            }
            pairs.Add((key, File.ReadAllBytes(loader.ResolveFile(directory, relative, file, "files"))));
        }
        var duplicate = pairs.GroupBy(p => p.Key).FirstOrDefault(grp => grp.Count() > 1);
        if (duplicate is not null)
        {
            throw new RenderException($"{g.Kind} {g.Name} illegally repeats the key \"{duplicate.Key}\"", file);
        }
        return pairs;
    }

    /// <summary>KEY=VALUE lines; values keep their spaces and quotes, and a bare KEY takes its value from the environment.</summary>
    private static IEnumerable<KeyValuePair<string, string>> EnvFile(byte[] bytes, string display)
    {
        var text = DecodeUtf8(bytes) ?? throw new RenderException("env file has invalid UTF-8", display);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (i == 0)
            {
                line = line.TrimStart('\uFEFF');
            }
            line = line.TrimStart();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var eq = line.IndexOf('=');
            var key = eq < 0 ? line : line[..eq];
            if (key.Length == 0)
            {
                throw new RenderException($"line {i + 1}: missing key before \"=\"", display, i + 1);
            }
            yield return new(key, eq < 0 ? Environment.GetEnvironmentVariable(key) ?? "" : line[(eq + 1)..]);
        }
    }

    public static string? DecodeUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static string RemoveQuotes(string value) =>
        value.Length >= 2 && value[0] == value[^1] && value[0] is '"' or '\'' ? value[1..^1] : value;
}
