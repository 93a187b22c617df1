using System.Text.RegularExpressions;

namespace Mcg.Patterns.Generation;

/// <summary>
/// The value files an application (and the clustergroup chart itself) is rendered with, in the upstream order
/// (<c>clustergroup-chart/templates/_helpers.tpl</c>, <c>clustergroup.app.globalvalues.valuefiles</c>; the operator
/// adds <c>values-&lt;localClusterName&gt;.yaml</c>), and <c>sharedValueFiles</c> expanded as the chart's <c>tpl</c> does.
/// </summary>
public static partial class ValueFiles
{
    /// <summary>values-global, values-&lt;group&gt;, then the platform/version/group combinations present in the facts, then global.extraValueFiles.</summary>
    public static IReadOnlyList<string> Global(string groupName, ClusterFacts facts, IEnumerable<string> globalExtraValueFiles, bool includeClusterName)
    {
        var files = new List<string> { "/values-global.yaml", $"/values-{groupName}.yaml" };
        if (facts.Platform.Length > 0)
        {
            files.Add($"/values-{facts.Platform}.yaml");
            if (facts.Version.Length > 0)
            {
                files.Add($"/values-{facts.Platform}-{facts.Version}.yaml");
            }
            files.Add($"/values-{facts.Platform}-{groupName}.yaml");
        }
        if (facts.Version.Length > 0)
        {
            files.Add($"/values-{facts.Version}-{groupName}.yaml");
        }
        if (includeClusterName && facts.ClusterName.Length > 0)
        {
            files.Add($"/values-{facts.ClusterName}.yaml");
        }
        files.AddRange(globalExtraValueFiles);
        return files;
    }

    /// <summary>
    /// Expands the <c>{{ $.Values.global.X }}</c> / <c>{{ .Values.clusterGroup.name }}</c> references a
    /// <c>sharedValueFiles</c> entry may hold (the chart renders them with <c>tpl</c>). Other template code is an error:
    /// mcg does not run Go templates.
    /// </summary>
    public static string Expand(string template, string groupName, string pattern, ClusterFacts facts)
    {
        var expanded = Reference().Replace(template, m =>
        {
            var key = m.Groups["key"].Value;
            if (key == "clusterGroup.name")
            {
                return groupName;
            }
            if (key == "global.pattern")
            {
                return pattern;
            }
            if (key.StartsWith("global.", StringComparison.Ordinal) && facts.GlobalValues.TryGetValue(key["global.".Length..], out var value))
            {
                return value;
            }
            throw new ArgumentException($"'{template}': {{{{ {m.Groups["expr"].Value} }}}} names no value mcg knows (global.clusterPlatform, global.clusterVersion, global.clusterDomain, global.localClusterDomain, global.hubClusterDomain, global.localClusterName, global.pattern, clusterGroup.name)");
        });
        return expanded.Contains("{{", StringComparison.Ordinal)
            ? throw new ArgumentException($"'{template}': only {{{{ $.Values.<key> }}}} references are supported")
            : expanded;
    }

    /// <summary>Resolves a value-file reference (<c>/overrides/x.yaml</c>, <c>$patternref/x.yaml</c>) to a path under the repository root, or null when it points elsewhere.</summary>
    public static string? LocalPath(string repositoryRoot, string reference)
    {
        var relative = reference.StartsWith("$patternref/", StringComparison.Ordinal) ? reference["$patternref/".Length..] : reference;
        if (relative.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(repositoryRoot, relative.TrimStart('/')));
        var root = Path.GetFullPath(repositoryRoot);
        return full.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal) ? full : null;
    }

    [GeneratedRegex(@"\{\{-?\s*(?<expr>\$?\.Values\.(?<key>[A-Za-z0-9_.]+))\s*-?\}\}")]
    private static partial Regex Reference();
}
