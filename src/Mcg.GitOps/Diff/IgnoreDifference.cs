using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Diff;

/// <summary>
/// One entry of an Application's <c>spec.ignoreDifferences</c>. Group and Kind are globs (<c>*</c>, <c>?</c>) as in
/// Argo CD; a null or empty Group is the core group, not "any group". Name and Namespace match exactly when set.
/// </summary>
public sealed record IgnoreDifference(
    string? Group,
    string Kind,
    string? Name,
    string? Namespace,
    IReadOnlyList<string> JsonPointers,
    IReadOnlyList<string> JqPathExpressions,
    IReadOnlyList<string> ManagedFieldsManagers)
{
    /// <summary>Parses <c>spec.ignoreDifferences</c> (upstream field names); null gives no rules.</summary>
    /// <exception cref="FormatException">An entry is not an object, lacks <c>kind</c>, or has a field of the wrong type.</exception>
    public static IReadOnlyList<IgnoreDifference> FromApplicationSpec(JsonArray? ignoreDifferences)
    {
        if (ignoreDifferences is null)
        {
            return [];
        }
        var rules = new List<IgnoreDifference>(ignoreDifferences.Count);
        for (var i = 0; i < ignoreDifferences.Count; i++)
        {
            var where = $"spec.ignoreDifferences[{i}]";
            if (ignoreDifferences[i] is not JsonObject entry)
            {
                throw new FormatException($"{where}: expected an object");
            }
            var kind = String(entry, "kind", where);
            if (string.IsNullOrEmpty(kind))
            {
                throw new FormatException($"{where}.kind: required");
            }
            rules.Add(new IgnoreDifference(
                String(entry, "group", where),
                kind,
                String(entry, "name", where),
                String(entry, "namespace", where),
                Strings(entry, "jsonPointers", where),
                Strings(entry, "jqPathExpressions", where),
                Strings(entry, "managedFieldsManagers", where)));
        }
        return rules;
    }

    /// <summary>Whether this rule applies to <paramref name="obj"/>.</summary>
    public bool Matches(JsonObject obj)
    {
        var gvk = obj.Gvk();
        return Glob.Match(Group ?? "", gvk.Group)
            && Glob.Match(Kind, gvk.Kind)
            && (string.IsNullOrEmpty(Name) || Name == obj.Name())
            && (string.IsNullOrEmpty(Namespace) || Namespace == obj.Namespace());
    }

    private static string? String(JsonObject entry, string field, string where) => entry[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw new FormatException($"{where}.{field}: expected a string"),
    };

    private static IReadOnlyList<string> Strings(JsonObject entry, string field, string where)
    {
        switch (entry[field])
        {
            case null:
                return [];
            case JsonArray items:
                return items.Select((item, j) => item is JsonValue v && v.TryGetValue<string>(out var s)
                    ? s
                    : throw new FormatException($"{where}.{field}[{j}]: expected a string")).ToList();
            default:
                throw new FormatException($"{where}.{field}: expected a list of strings");
        }
    }
}

/// <summary>The subset of gobwas/glob that Argo CD's group/kind patterns use in practice: <c>*</c> and <c>?</c>.</summary>
internal static class Glob
{
    public static bool Match(string pattern, string text)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?'))
        {
            return pattern == text;
        }
        // Iterative wildcard matching with backtracking to the last star.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
