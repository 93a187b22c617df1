using System.Text;
using System.Text.RegularExpressions;

namespace Mcg.GitOps.Rendering;

/// <summary>
/// Argo CD's directory include/exclude globs (gobwas/glob without separators): <c>*</c> and <c>**</c> match any run of
/// characters, slashes included; <c>?</c> one character; <c>[abc]</c>, <c>[!a-z]</c> character classes; <c>{a,b}</c>
/// alternatives. A comma outside braces also separates alternatives.
/// </summary>
internal sealed class GlobPattern
{
    private readonly Regex _regex;

    public GlobPattern(string pattern)
    {
        var alternatives = SplitTopLevel(pattern);
        _regex = new Regex("^(?:" + string.Join("|", alternatives.Select(Translate)) + ")$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public bool IsMatch(string path) => _regex.IsMatch(path);

    private static List<string> SplitTopLevel(string pattern)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '{':
                    depth++;
                    break;
                case '}':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(pattern[start..i]);
                    start = i + 1;
                    break;
            }
        }
        parts.Add(pattern[start..]);
        return parts;
    }

    private static string Translate(string glob)
    {
        var sb = new StringBuilder();
        var braces = 0;
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '\\' when i + 1 < glob.Length:
                    sb.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                case '*':
                    sb.Append(".*");
                    while (i + 1 < glob.Length && glob[i + 1] == '*')
                    {
                        i++;
                    }
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    var end = glob.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        throw new RenderException($"invalid glob pattern \"{glob}\": unterminated character class");
                    }
                    var cls = glob[(i + 1)..end];
                    sb.Append('[').Append(cls.StartsWith('!') ? "^" + Regex.Escape(cls[1..]).Replace("\\-", "-") : Regex.Escape(cls).Replace("\\-", "-")).Append(']');
                    i = end;
                    break;
                case '{':
                    braces++;
                    sb.Append("(?:");
                    break;
                case '}' when braces > 0:
                    braces--;
                    sb.Append(')');
                    break;
                case ',' when braces > 0:
                    sb.Append('|');
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        if (braces != 0)
        {
            throw new RenderException($"invalid glob pattern \"{glob}\": unbalanced braces");
        }
        return sb.ToString();
    }
}
