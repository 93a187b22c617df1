using System.Globalization;
using System.Text;

namespace Mcg.Secrets.Vault;

/// <summary>An HCL object: items in source order. A block <c>path "a" { … }</c> is the item <c>path = { "a" = { … } }</c>, as in HCL 1.</summary>
public sealed class HclObject
{
    public List<KeyValuePair<string, object>> Items { get; } = [];

    public IEnumerable<object> All(string key) => Items.Where(i => i.Key == key).Select(i => i.Value);

    public object? Get(string key) => Items.LastOrDefault(i => i.Key == key).Value;
}

/// <summary>
/// A parser for the HCL subset Vault policies are written in (HCL 1, which also reads the JSON form): attributes
/// (<c>=</c> or <c>:</c>), labelled blocks, strings with escapes, heredocs, numbers, booleans, lists, objects and
/// <c>#</c>, <c>//</c>, <c>/* */</c> comments. Values are string, long, double, bool, <c>List&lt;object&gt;</c> or <see cref="HclObject"/>.
/// </summary>
public sealed class HclParser
{
    private readonly string _text;
    private int _pos;
    private int _line = 1;

    private HclParser(string text) => _text = text;

    public static HclObject Parse(string text)
    {
        var parser = new HclParser(text);
        parser.SkipTrivia();
        HclObject result;
        if (parser.Peek() == '{')
        {
            parser._pos++;
            result = parser.ParseBody('}');
        }
        else
        {
            result = parser.ParseBody(null);
        }
        parser.SkipTrivia();
        if (!parser.AtEnd)
        {
            throw parser.Error($"unexpected '{parser.Peek()}'");
        }
        return result;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek() => AtEnd ? '\0' : _text[_pos];

    private HclObject ParseBody(char? close)
    {
        var body = new HclObject();
        while (true)
        {
            SkipTrivia();
            if (AtEnd)
            {
                if (close is not null)
                {
                    throw Error($"expected '{close}'");
                }
                return body;
            }
            if (close is not null && Peek() == close)
            {
                _pos++;
                return body;
            }
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }
            var keys = new List<string> { ParseKey() };
            SkipTrivia();
            while (Peek() == '"')
            {
                keys.Add(ParseKey());
                SkipTrivia();
            }
            object value;
            if (Peek() is '=' or ':')
            {
                _pos++;
                value = ParseValue();
            }
            else if (Peek() == '{')
            {
                _pos++;
                value = ParseBody('}');
            }
            else
            {
                throw Error($"expected '=' or '{{' after key \"{keys[^1]}\"");
            }
            for (var i = keys.Count - 1; i > 0; i--)
            {
                var wrapper = new HclObject();
                wrapper.Items.Add(new(keys[i], value));
                value = wrapper;
            }
            body.Items.Add(new(keys[0], value));
        }
    }

    private string ParseKey()
    {
        SkipTrivia();
        if (Peek() == '"')
        {
            return ParseString();
        }
        if (!IsIdentStart(Peek()))
        {
            throw Error($"expected a key, found '{Peek()}'");
        }
        var start = _pos;
        while (!AtEnd && IsIdentPart(Peek()))
        {
            _pos++;
        }
        return _text[start.._pos];
    }

    private object ParseValue()
    {
        SkipTrivia();
        var c = Peek();
        switch (c)
        {
            case '"':
                return ParseString();
            case '[':
                _pos++;
                return ParseList();
            case '{':
                _pos++;
                return ParseBody('}');
            case '<' when _pos + 1 < _text.Length && _text[_pos + 1] == '<':
                return ParseHeredoc();
        }
        if (c is '-' or '+' || char.IsAsciiDigit(c))
        {
            return ParseNumber();
        }
        if (IsIdentStart(c))
        {
            var word = ParseKey();
            return word switch
            {
                "true" => true,
                "false" => false,
                _ => throw Error($"unexpected identifier \"{word}\" as a value"),
            };
        }
        throw Error(AtEnd ? "unexpected end of input" : $"unexpected '{c}'");
    }

    private List<object> ParseList()
    {
        var list = new List<object>();
        while (true)
        {
            SkipTrivia();
            if (Peek() == ']')
            {
                _pos++;
                return list;
            }
            list.Add(ParseValue());
            SkipTrivia();
            if (Peek() == ',')
            {
                _pos++;
            }
            else if (Peek() != ']')
            {
                throw Error("expected ',' or ']' in list");
            }
        }
    }

    private object ParseNumber()
    {
        var start = _pos;
        if (Peek() is '-' or '+')
        {
            _pos++;
        }
        while (!AtEnd && (char.IsAsciiDigit(Peek()) || Peek() is '.' or 'e' or 'E' or 'x' or 'X' || char.IsAsciiHexDigit(Peek())))
        {
            _pos++;
        }
        var text = _text[start.._pos];
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }
        throw Error($"invalid number \"{text}\"");
    }

    private string ParseString()
    {
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                throw Error("unterminated string");
            }
            var c = _text[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (AtEnd)
            {
                throw Error("unterminated string");
            }
            var e = _text[_pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'u' when _pos + 4 <= _text.Length:
                    sb.Append((char)int.Parse(_text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    _pos += 4;
                    break;
                default: sb.Append('\\').Append(e); break;
            }
        }
    }

    private string ParseHeredoc()
    {
        _pos += 2;
        var indented = Peek() == '-';
        if (indented)
        {
            _pos++;
        }
        var start = _pos;
        while (!AtEnd && IsIdentPart(Peek()))
        {
            _pos++;
        }
        var marker = _text[start.._pos];
        if (marker.Length == 0 || Peek() != '\n' && Peek() != '\r')
        {
            throw Error("invalid heredoc anchor");
        }
        var eol = _text.IndexOf('\n', _pos);
        _pos = eol + 1;
        _line++;
        var lines = new List<string>();
        while (!AtEnd)
        {
            var end = _text.IndexOf('\n', _pos);
            var line = (end < 0 ? _text[_pos..] : _text[_pos..end]).TrimEnd('\r');
            _pos = end < 0 ? _text.Length : end + 1;
            _line++;
            if (line.Trim() == marker)
            {
                return lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";
            }
            lines.Add(line);
        }
        throw Error($"heredoc not terminated by \"{marker}\"");
    }

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '\n')
            {
                _line++;
                _pos++;
            }
            else if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '#' || c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                while (!AtEnd && Peek() != '\n')
                {
                    _pos++;
                }
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                var end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error("comment not terminated");
                }
                _line += _text.AsSpan(_pos, end - _pos).Count('\n');
                _pos = end + 2;
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsIdentStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';

    private FormatException Error(string message) => new($"At {_line}:{ColumnOf(_pos)}: {message}");

    private int ColumnOf(int pos) => pos - (_text.LastIndexOf('\n', Math.Max(0, Math.Min(pos, _text.Length) - 1)) + 1) + 1;
}
