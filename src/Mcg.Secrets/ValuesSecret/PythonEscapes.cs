using System.Globalization;
using System.Text;

namespace Mcg.Secrets.ValuesSecret;

/// <summary>
/// Python's <c>bytes(value, "utf-8").decode("unicode_escape")</c>, which the upstream parser (parse_secrets_v2.py
/// <c>_sanitize_yaml_value</c>) applies to <c>value:</c> fields and vault policies, so that <c>"a\nb"</c> written with a
/// literal backslash becomes a newline. Unlike Python, non-ASCII characters are kept as they are (Python would
/// re-decode their UTF-8 bytes as Latin-1 and garble them).
/// </summary>
public static class PythonEscapes
{
    /// <exception cref="FormatException">A malformed escape, as Python would raise (truncated \x, \u, \U; a trailing backslash; \N{...}).</exception>
    public static string UnicodeEscape(string value)
    {
        if (!value.Contains('\\'))
        {
            return value;
        }
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (i + 1 >= value.Length)
            {
                throw new FormatException("\\ at end of string");
            }
            var e = value[++i];
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case >= '0' and <= '7':
                    {
                        var code = e - '0';
                        for (var k = 0; k < 2 && i + 1 < value.Length && value[i + 1] is >= '0' and <= '7'; k++)
                        {
                            code = code * 8 + (value[++i] - '0');
                        }
                        sb.Append((char)code);
                        break;
                    }
                case 'x': sb.Append(char.ConvertFromUtf32(Hex(value, ref i, 2, "\\xXX"))); break;
                case 'u': sb.Append((char)Hex(value, ref i, 4, "\\uXXXX")); break;
                case 'U':
                    {
                        var code = Hex(value, ref i, 8, "\\UXXXXXXXX");
                        if (code > 0x10FFFF)
                        {
                            throw new FormatException("illegal Unicode character");
                        }
                        sb.Append(code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code));
                        break;
                    }
                case 'N':
                    throw new FormatException("\\N{...} escapes are not supported");
                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }
        return sb.ToString();
    }

    private static int Hex(string value, ref int i, int digits, string name)
    {
        if (i + digits >= value.Length || !int.TryParse(value.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || value.AsSpan(i + 1, digits).ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            throw new FormatException($"truncated {name} escape");
        }
        i += digits;
        return code;
    }
}
