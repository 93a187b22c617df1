using System.Text;
using System.Text.RegularExpressions;

namespace Mcg.Fleet.Policy;

/// <summary>
/// A shell pattern with Go's <c>filepath.Match</c> syntax, as namespaceSelector include/exclude use it: <c>*</c> (any
/// run of non-<c>/</c> characters), <c>?</c> (one), <c>[a-z]</c>, <c>[^a-z]</c> and <c>\</c> escapes. The whole name must match.
/// </summary>
public sealed class GlobPattern
{
    private readonly Regex _regex;

    private GlobPattern(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    public string Pattern { get; }

    public bool IsMatch(string name) => _regex.IsMatch(name);

    /// <summary>Parses a pattern; a malformed one throws <see cref="FormatException"/> ("syntax error in pattern", as Go's ErrBadPattern).</summary>
    public static GlobPattern Parse(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\':
                    if (++i >= pattern.Length)
                    {
                        throw BadPattern();
                    }
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[':
                    i = AppendClass(pattern, i, regex);
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append('$');
        return new GlobPattern(pattern, new Regex(regex.ToString(), RegexOptions.CultureInvariant));
    }

    /// <summary>Translates <c>[...]</c> starting at <paramref name="start"/>; returns the index of its closing bracket.</summary>
    private static int AppendClass(string pattern, int start, StringBuilder regex)
    {
        var i = start + 1;
        var negated = i < pattern.Length && pattern[i] == '^';
        if (negated)
        {
            i++;
        }
        var items = new StringBuilder();
        var count = 0;
        while (true)
        {
            if (i >= pattern.Length)
            {
                throw BadPattern();
            }
            if (pattern[i] == ']' && count > 0)
            {
                break;
            }
            var lo = ClassChar(pattern, ref i);
            if (i < pattern.Length && pattern[i] == '-')
            {
                i++;
                var hi = ClassChar(pattern, ref i);
                if (hi < lo)
                {
                    throw BadPattern();
                }
                items.Append(EscapeInClass(lo)).Append('-').Append(EscapeInClass(hi));
            }
            else
            {
                items.Append(EscapeInClass(lo));
            }
            count++;
        }
        regex.Append('[');
        if (negated)
        {
            regex.Append("^/");
        }
        regex.Append(items).Append(']');
        return i;
    }

    private static char ClassChar(string pattern, ref int i)
    {
        if (i >= pattern.Length || pattern[i] is '-' or ']')
        {
            throw BadPattern();
        }
        if (pattern[i] == '\\')
        {
            i++;
            if (i >= pattern.Length)
            {
                throw BadPattern();
            }
        }
        return pattern[i++];
    }

    private static string EscapeInClass(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();

    private static FormatException BadPattern() => new("syntax error in pattern");
}
