namespace Mcg.Kube.Selectors;

/// <summary>A parsed field selector (<c>metadata.name=x,metadata.namespace!=y</c>) over the fields a resource exposes.</summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string, bool, string)> terms) => _terms = terms;

    public bool IsEverything => _terms.Count == 0;

    public IEnumerable<string> Fields => _terms.Select(t => t.Field);

    /// <summary>The value the selector requires for <paramref name="field"/> with <c>=</c>, if any (lets a store narrow a scan).</summary>
    public string? RequiredValue(string field) => _terms.FirstOrDefault(t => t.Field == field && t.Equal).Value;

    public bool Matches(Func<string, string?> fieldValue) =>
        _terms.All(t => (fieldValue(t.Field) ?? "") == t.Value == t.Equal);

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (at, len, equal) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? (ne, 2, false)
                : term.IndexOf("==", StringComparison.Ordinal) is var ee and > 0 ? (ee, 2, true)
                : term.IndexOf('=') is var e and > 0 ? (e, 1, true)
                : throw new FormatException($"invalid field selector: \"{term}\" is not of the form field=value");
            terms.Add((term[..at].Trim(), equal, term[(at + len)..].Trim()));
        }
        return new FieldSelector(terms);
    }
}
