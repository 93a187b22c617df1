using System.Text.Json.Nodes;
using Mcg.Kube.Selectors;

namespace Mcg.Fleet.Policy;

/// <summary>
/// A ConfigurationPolicy's <c>namespaceSelector</c>: the namespaces a namespaced object template without a namespace
/// is checked in. <c>include</c>/<c>exclude</c> are <see cref="GlobPattern"/>s; <c>matchLabels</c>/<c>matchExpressions</c>
/// select by label. As upstream, a selector with neither include patterns nor a label selector selects nothing, and a
/// label selector without include patterns includes every namespace it selects.
/// </summary>
public sealed class NamespaceSelector
{
    private readonly IReadOnlyList<GlobPattern> _include;
    private readonly IReadOnlyList<GlobPattern> _exclude;
    private readonly LabelSelector? _labels;

    private NamespaceSelector(IReadOnlyList<GlobPattern> include, IReadOnlyList<GlobPattern> exclude, LabelSelector? labels)
    {
        _include = include;
        _exclude = exclude;
        _labels = labels;
    }

    /// <summary>Selects nothing.</summary>
    public bool IsEmpty => _include.Count == 0 && _labels is null;

    /// <summary>Parses a selector; malformed patterns or label selectors throw <see cref="FormatException"/> with upstream's message.</summary>
    public static NamespaceSelector Parse(JsonObject? selector)
    {
        if (selector is null)
        {
            return new NamespaceSelector([], [], null);
        }
        var include = Patterns(selector, "include");
        var exclude = Patterns(selector, "exclude");
        LabelSelector? labels = null;
        if (selector["matchLabels"] is not null || selector["matchExpressions"] is not null)
        {
            try
            {
                labels = LabelSelector.FromObject(selector);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new FormatException($"error parsing namespace LabelSelector: {ex.Message}", ex);
            }
        }
        return new NamespaceSelector(include, exclude, labels);
    }

    /// <summary>The selected namespaces among the given ones, sorted by name.</summary>
    public IReadOnlyList<string> Select(IEnumerable<(string Name, IReadOnlyDictionary<string, string> Labels)> namespaces)
    {
        if (IsEmpty)
        {
            return [];
        }
        return namespaces
            .Where(ns => _labels is null || _labels.Matches(ns.Labels))
            .Select(ns => ns.Name)
            .Where(name => _include.Count == 0 || _include.Any(p => p.IsMatch(name)))
            .Where(name => !_exclude.Any(p => p.IsMatch(name)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static List<GlobPattern> Patterns(JsonObject selector, string field)
    {
        var patterns = new List<GlobPattern>();
        foreach (var node in (selector[field] as JsonArray) ?? [])
        {
            var text = node?.GetValue<string>() ?? "";
            try
            {
                patterns.Add(GlobPattern.Parse(text));
            }
            catch (FormatException ex)
            {
                throw new FormatException($"error parsing '{field}' pattern '{text}': {ex.Message}", ex);
            }
        }
        return patterns;
    }
}
