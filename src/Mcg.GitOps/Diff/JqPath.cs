using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Diff;

/// <summary>
/// The jq path expressions <c>ignoreDifferences.jqPathExpressions</c> uses in practice, evaluated as Argo CD does with
/// <c>del(EXPR)</c>. Supported: <c>.a.b</c>, <c>."key"</c>, <c>.["key"]</c>, <c>.a[]</c>, <c>.a[2]</c> (negative counts
/// from the end), the error-suppressing <c>?</c>, pipes, and <c>select(COND)</c> where COND combines, with
/// <c>and</c>/<c>or</c>/parentheses, <c>PATH == LITERAL</c>, <c>PATH != LITERAL</c> or a bare PATH (truthy); PATH
/// there is a field/index path such as <c>.name</c> or <c>.metadata.labels."app"</c> and LITERAL a JSON string,
/// number, true, false or null. Anything else is rejected with an <see cref="ArgumentException"/> naming the
/// expression. Where jq would fail at run time (iterating a string, say), nothing is matched, as Argo CD then skips the
/// expression.
/// </summary>
internal sealed class JqPath
{
    private readonly IReadOnlyList<Step> steps;

    private JqPath(IReadOnlyList<Step> steps) => this.steps = steps;

    public static JqPath Parse(string expression)
    {
        var parser = new Parser(expression);
        var steps = parser.ParsePipeline();
        if (!steps.Any(s => s is not Select))
        {
            throw parser.Error("it selects the whole object");
        }
        return new JqPath(steps);
    }

    /// <summary>The locations the expression's paths lead to in <paramref name="root"/>.</summary>
    public IEnumerable<JsonLocation> Find(JsonObject root)
    {
        IEnumerable<Cursor> cursors = [new Cursor(root, null)];
        foreach (var step in steps)
        {
            cursors = step.Apply(cursors).ToList();
        }
        return cursors.Where(c => c.Location is not null).Select(c => c.Location!.Value);
    }

    private readonly record struct Cursor(JsonNode? Value, JsonLocation? Location);

    private abstract record Step
    {
        public IEnumerable<Cursor> Apply(IEnumerable<Cursor> cursors) => cursors.SelectMany(Next);

        protected abstract IEnumerable<Cursor> Next(Cursor cursor);
    }

    private sealed record Field(string Name) : Step
    {
        protected override IEnumerable<Cursor> Next(Cursor c)
        {
            if (c.Value is JsonObject obj && obj.TryGetPropertyValue(Name, out var child))
            {
                yield return new Cursor(child, JsonLocation.Of(obj, Name));
            }
        }
    }

    private sealed record Index(int Position) : Step
    {
        protected override IEnumerable<Cursor> Next(Cursor c)
        {
            if (c.Value is JsonArray array)
            {
                var i = Position < 0 ? array.Count + Position : Position;
                if (i >= 0 && i < array.Count)
                {
                    yield return new Cursor(array[i], JsonLocation.Of(array, i));
                }
            }
        }
    }

    private sealed record Iterate : Step
    {
        protected override IEnumerable<Cursor> Next(Cursor c) => c.Value switch
        {
            JsonArray array => array.Select((item, i) => new Cursor(item, JsonLocation.Of(array, i))),
            JsonObject obj => obj.Select(p => new Cursor(p.Value, JsonLocation.Of(obj, p.Key))),
            _ => [],
        };
    }

    private sealed record Select(Condition Condition) : Step
    {
        protected override IEnumerable<Cursor> Next(Cursor c) => Condition.Holds(c.Value) ? [c] : [];
    }

    private abstract record Condition
    {
        public abstract bool Holds(JsonNode? value);
    }

    private sealed record Or(Condition Left, Condition Right) : Condition
    {
        public override bool Holds(JsonNode? value) => Left.Holds(value) || Right.Holds(value);
    }

    private sealed record And(Condition Left, Condition Right) : Condition
    {
        public override bool Holds(JsonNode? value) => Left.Holds(value) && Right.Holds(value);
    }

    private sealed record Compare(IReadOnlyList<Step> Path, bool Equal, JsonNode? Literal) : Condition
    {
        public override bool Holds(JsonNode? value) =>
            Resolve(Path, value, out var found) && JsonNode.DeepEquals(found, Literal) == Equal;
    }

    private sealed record Truthy(IReadOnlyList<Step> Path) : Condition
    {
        public override bool Holds(JsonNode? value) =>
            Resolve(Path, value, out var found) && found is not null && !(found is JsonValue v && v.TryGetValue<bool>(out var b) && !b);
    }

    /// <summary>jq's value of a field/index path: null through missing fields and null, false where jq would fail.</summary>
    private static bool Resolve(IReadOnlyList<Step> path, JsonNode? value, out JsonNode? result)
    {
        result = value;
        foreach (var step in path)
        {
            switch (step, result)
            {
                case (_, null):
                    break;
                case (Field f, JsonObject obj):
                    result = obj[f.Name];
                    break;
                case (Index i, JsonArray array):
                    var at = i.Position < 0 ? array.Count + i.Position : i.Position;
                    result = at >= 0 && at < array.Count ? array[at] : null;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private sealed class Parser(string text)
    {
        private int pos;

        public ArgumentException Error(string detail) =>
            new($"unsupported jq path expression \"{text}\": {detail}", "expression");

        public List<Step> ParsePipeline()
        {
            var steps = ParseTerm();
            while (Accept('|'))
            {
                steps.AddRange(ParseTerm());
            }
            SkipSpace();
            if (pos < text.Length)
            {
                throw Error($"unexpected '{text[pos]}' at offset {pos}");
            }
            return steps;
        }

        private List<Step> ParseTerm()
        {
            SkipSpace();
            if (AcceptWord("select"))
            {
                Expect('(');
                var condition = ParseOr();
                Expect(')');
                List<Step> steps = [new Select(condition)];
                steps.AddRange(ParseSuffixes());
                return steps;
            }
            return ParsePath();
        }

        /// <summary>A path starting with '.': <c>.</c>, <c>.a</c>, <c>."a"</c>, <c>.[…]</c>, then suffixes.</summary>
        private List<Step> ParsePath()
        {
            SkipSpace();
            if (!Accept('.'))
            {
                throw Error(pos < text.Length ? $"expected a path starting with '.' at offset {pos}" : "expected a path");
            }
            var steps = new List<Step>();
            if (pos < text.Length && (IsIdentifierStart(text[pos]) || text[pos] == '"'))
            {
                steps.Add(new Field(ParseKey()));
            }
            steps.AddRange(ParseSuffixes());
            return steps;
        }

        private List<Step> ParseSuffixes()
        {
            var steps = new List<Step>();
            while (pos < text.Length)
            {
                if (text[pos] == '?')
                {
                    pos++;
                }
                else if (text[pos] == '[')
                {
                    steps.Add(ParseBracket());
                }
                else if (text[pos] == '.' && pos + 1 < text.Length && text[pos + 1] == '[')
                {
                    pos++;
                    steps.Add(ParseBracket());
                }
                else if (text[pos] == '.' && pos + 1 < text.Length && (IsIdentifierStart(text[pos + 1]) || text[pos + 1] == '"'))
                {
                    pos++;
                    steps.Add(new Field(ParseKey()));
                }
                else
                {
                    break;
                }
            }
            return steps;
        }

        private Step ParseBracket()
        {
            Expect('[');
            SkipSpace();
            Step step;
            if (pos < text.Length && text[pos] == ']')
            {
                step = new Iterate();
            }
            else if (pos < text.Length && text[pos] == '"')
            {
                step = new Field(ParseString());
            }
            else
            {
                var start = pos;
                if (pos < text.Length && text[pos] == '-')
                {
                    pos++;
                }
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    pos++;
                }
                if (!int.TryParse(text.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                {
                    throw Error($"expected [], [N] or [\"key\"] at offset {start - 1}");
                }
                step = new Index(index);
            }
            Expect(']');
            return step;
        }

        private string ParseKey() => text[pos] == '"' ? ParseString() : ParseIdentifier();

        private string ParseIdentifier()
        {
            var start = pos;
            while (pos < text.Length && (IsIdentifierStart(text[pos]) || char.IsAsciiDigit(text[pos])))
            {
                pos++;
            }
            return text[start..pos];
        }

        private string ParseString() => ParseStringLiteral().GetValue<string>();

        private JsonNode ParseStringLiteral()
        {
            var start = pos++;
            while (pos < text.Length && text[pos] != '"')
            {
                pos += text[pos] == '\\' ? 2 : 1;
            }
            if (pos >= text.Length)
            {
                throw Error($"unterminated string at offset {start}");
            }
            pos++;
            try
            {
                return JsonNode.Parse(text[start..pos])!;
            }
            catch (JsonException)
            {
                throw Error($"invalid string at offset {start}");
            }
        }

        private Condition ParseOr()
        {
            var left = ParseAnd();
            while (AcceptWord("or"))
            {
                left = new Or(left, ParseAnd());
            }
            return left;
        }

        private Condition ParseAnd()
        {
            var left = ParseComparison();
            while (AcceptWord("and"))
            {
                left = new And(left, ParseComparison());
            }
            return left;
        }

        private Condition ParseComparison()
        {
            if (Accept('('))
            {
                var inner = ParseOr();
                Expect(')');
                return inner;
            }
            var path = ParsePath();
            if (path.Any(s => s is Iterate))
            {
                throw Error("select conditions support field and index paths only");
            }
            if (AcceptOperator("=="))
            {
                return new Compare(path, true, ParseLiteral());
            }
            if (AcceptOperator("!="))
            {
                return new Compare(path, false, ParseLiteral());
            }
            return new Truthy(path);
        }

        private JsonNode? ParseLiteral()
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == '"')
            {
                return ParseStringLiteral();
            }
            foreach (var (word, value) in new (string, JsonNode?)[] { ("true", JsonValue.Create(true)), ("false", JsonValue.Create(false)), ("null", null) })
            {
                if (AcceptWord(word))
                {
                    return value;
                }
            }
            var start = pos;
            while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] is '-' or '+' or '.' or 'e' or 'E'))
            {
                pos++;
            }
            if (pos > start && double.TryParse(text.AsSpan(start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return JsonNode.Parse(text[start..pos]);
            }
            throw Error($"expected a string, number, true, false or null at offset {start}");
        }

        private void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }

        private bool Accept(char c)
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == c)
            {
                pos++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!Accept(c))
            {
                throw Error(pos < text.Length ? $"expected '{c}' at offset {pos}" : $"expected '{c}' at the end");
            }
        }

        private bool AcceptOperator(string op)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, pos, op, 0, op.Length) == 0)
            {
                pos += op.Length;
                return true;
            }
            return false;
        }

        private bool AcceptWord(string word)
        {
            SkipSpace();
            var end = pos + word.Length;
            if (string.CompareOrdinal(text, pos, word, 0, word.Length) == 0
                && (end == text.Length || !(IsIdentifierStart(text[end]) || char.IsAsciiDigit(text[end]))))
            {
                pos = end;
                return true;
            }
            return false;
        }

        private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';
    }
}
