using System.Text;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// The subset of ESO's template engine v2 (Go text/template with missingkey=error) that secret templates use:
/// <c>{{ .key }}</c>, <c>{{ index . "a-key" }}</c>, string literals, whitespace trimming (<c>{{-</c>, <c>-}}</c>) and
/// pipelines through <c>toString upper lower trim b64enc b64dec quote</c>.
/// </summary>
public static class SecretTemplate
{
    public static string Render(string template, IReadOnlyDictionary<string, string> values, string name)
    {
        var output = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                output.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"template: {name}: unclosed action");
            }
            var action = template[(open + 2)..close];
            var text = template[i..open];
            if (action.StartsWith('-'))
            {
                text = text.TrimEnd();
                action = action[1..];
            }
            var trimAfter = action.EndsWith('-');
            if (trimAfter)
            {
                action = action[..^1];
            }
            output.Append(text);
            output.Append(Evaluate(action.Trim(), values, name));
            i = close + 2;
            if (trimAfter)
            {
                while (i < template.Length && char.IsWhiteSpace(template[i]))
                {
                    i++;
                }
            }
        }
        return output.ToString();
    }

    private static string Evaluate(string pipeline, IReadOnlyDictionary<string, string> values, string name)
    {
        if (pipeline.StartsWith("/*", StringComparison.Ordinal))
        {
            return "";
        }
        string? current = null;
        foreach (var (command, index) in pipeline.Split('|').Select((c, n) => (Tokens(c.Trim(), name), n)))
        {
            if (command.Count == 0)
            {
                throw new FormatException($"template: {name}: missing value for command");
            }
            var args = command.Skip(1).Select(a => Operand(a, values, name)).ToList();
            if (index > 0)
            {
                args.Add(current!);
            }
            current = command[0] switch
            {
                var head when index == 0 && command.Count == 1 && !IsFunction(head) => Operand(head, values, name),
                "index" => args.Count == 2 && args[0] == "\0dot" ? Lookup(args[1], values, name) : throw new FormatException($"template: {name}: index takes . and a key"),
                var f => Call(f, args, name),
            };
        }
        return current ?? "";
    }

    private static bool IsFunction(string token) => token is "index" or "toString" or "upper" or "lower" or "trim" or "b64enc" or "b64dec" or "quote";

    private static string Call(string function, List<string> args, string name)
    {
        if (args.Count != 1)
        {
            throw new FormatException($"template: {name}: wrong number of args for {function}: want 1 got {args.Count}");
        }
        var a = args[0];
        return function switch
        {
            "toString" => a,
            "upper" => a.ToUpperInvariant(),
            "lower" => a.ToLowerInvariant(),
            "trim" => a.Trim(),
            "b64enc" => Convert.ToBase64String(Encoding.UTF8.GetBytes(a)),
            "b64dec" => Encoding.UTF8.GetString(Convert.FromBase64String(a)),
            "quote" => "\"" + a.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
            _ => throw new FormatException($"template: {name}: function \"{function}\" not defined"),
        };
    }

    private static string Operand(string token, IReadOnlyDictionary<string, string> values, string name)
    {
        if (token == ".")
        {
            return "\0dot";
        }
        if (token.StartsWith('"'))
        {
            return token[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
        }
        if (token.StartsWith('.'))
        {
            return Lookup(token[1..], values, name);
        }
        throw new FormatException($"template: {name}: function \"{token}\" not defined");
    }

    private static string Lookup(string key, IReadOnlyDictionary<string, string> values, string name) =>
        values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"template: {name}: map has no entry for key \"{key}\"");

    private static List<string> Tokens(string command, string name)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < command.Length)
        {
            if (char.IsWhiteSpace(command[i]))
            {
                i++;
                continue;
            }
            var start = i;
            if (command[i] == '"')
            {
                i++;
                while (i < command.Length && command[i] != '"')
                {
                    i += command[i] == '\\' ? 2 : 1;
                }
                if (i >= command.Length)
                {
                    throw new FormatException($"template: {name}: unterminated quoted string");
                }
                i++;
            }
            else
            {
                while (i < command.Length && !char.IsWhiteSpace(command[i]))
                {
                    i++;
                }
            }
            tokens.Add(command[start..i]);
        }
        return tokens;
    }
}
