using System.Text.Json.Nodes;

namespace Mcg.Kube.Selectors;

/// <summary>A parsed label selector: the string form of list/watch queries or a metav1.LabelSelector object.</summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public bool IsEverything => _requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r.Matches(labels));

    /// <summary>Parses <c>a=b,c!=d,e in (f,g),h notin (i),j,!k</c>; throws <see cref="FormatException"/> naming the bad term.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var requirements = new List<Requirement>();
        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseTerm(term.Trim(), text));
        }
        return new LabelSelector(requirements);
    }

    /// <summary>From a metav1.LabelSelector (<c>matchLabels</c>, <c>matchExpressions</c>); null selects everything.</summary>
    public static LabelSelector FromObject(JsonObject? selector)
    {
        if (selector is null)
        {
            return Everything;
        }
        var requirements = new List<Requirement>();
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (k, v) in matchLabels)
            {
                requirements.Add(new Requirement(k, Operator.Equals, [v?.GetValue<string>() ?? ""]));
            }
        }
        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var key = e["key"]?.GetValue<string>() ?? throw new FormatException("matchExpressions entry has no key");
                var values = (e["values"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToArray() ?? [];
                var op = e["operator"]?.GetValue<string>() switch
                {
                    "In" => Operator.In,
                    "NotIn" => Operator.NotIn,
                    "Exists" => Operator.Exists,
                    "DoesNotExist" => Operator.DoesNotExist,
                    var other => throw new FormatException($"matchExpressions[{key}]: \"{other}\" is not a valid label selector operator"),
                };
                requirements.Add(new Requirement(key, op, values));
            }
        }
        return new LabelSelector(requirements);
    }

    public override string ToString() => string.Join(",", _requirements);

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return text[start..];
    }

    private static Requirement ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw new FormatException($"unable to parse requirement: empty term in label selector \"{whole}\"");
        }
        if (term[0] == '!')
        {
            return new Requirement(ValidKey(term[1..].Trim(), whole), Operator.DoesNotExist, []);
        }
        foreach (var (token, op) in new[] { ("!=", Operator.NotEquals), ("==", Operator.Equals), ("=", Operator.Equals) })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return new Requirement(ValidKey(term[..at].Trim(), whole), op, [term[(at + token.Length)..].Trim()]);
            }
        }
        var parts = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 1)
        {
            return new Requirement(ValidKey(parts[0], whole), Operator.Exists, []);
        }
        var rest = parts[1];
        var setOp = rest.StartsWith("notin", StringComparison.Ordinal) ? Operator.NotIn
            : rest.StartsWith("in", StringComparison.Ordinal) ? Operator.In
            : throw new FormatException($"unable to parse requirement: \"{term}\" in label selector \"{whole}\"");
        var set = rest[(setOp == Operator.NotIn ? 5 : 2)..].Trim();
        if (!set.StartsWith('(') || !set.EndsWith(')'))
        {
            throw new FormatException($"unable to parse requirement: expected a parenthesised set in \"{term}\"");
        }
        var values = set[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new Requirement(ValidKey(parts[0], whole), setOp, values);
    }

    private static string ValidKey(string key, string whole) =>
        key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '=' or '!')
            ? throw new FormatException($"unable to parse requirement: invalid label key \"{key}\" in label selector \"{whole}\"")
            : key;

    private enum Operator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Equals => has && value == Values[0],
                Operator.NotEquals => !has || value != Values[0],
                Operator.In => has && Values.Contains(value),
                Operator.NotIn => !has || !Values.Contains(value),
                Operator.Exists => has,
                _ => !has,
            };
        }

        public override string ToString() => Op switch
        {
            Operator.Equals => $"{Key}={Values[0]}",
            Operator.NotEquals => $"{Key}!={Values[0]}",
            Operator.In => $"{Key} in ({string.Join(",", Values)})",
            Operator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
            Operator.Exists => Key,
            _ => "!" + Key,
        };
    }
}
