using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mcg.Secrets.Vault;

/// <summary>Vault's duration fields: Go duration strings (<c>1h30m</c>, <c>768h</c>), plain seconds (<c>"3600"</c> or 3600).</summary>
public static partial class Durations
{
    public static TimeSpan Parse(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return TimeSpan.Zero;
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }
        var matches = Unit().Matches(text);
        if (matches.Count == 0 || matches.Sum(m => m.Length) != text.Length)
        {
            throw new FormatException($"time: invalid duration \"{text}\"");
        }
        var total = TimeSpan.Zero;
        foreach (Match m in matches)
        {
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "ns" => TimeSpan.FromTicks((long)(value / 100)),
                "us" or "µs" => TimeSpan.FromMicroseconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                "d" => TimeSpan.FromDays(value),
                _ => throw new FormatException($"time: unknown unit in duration \"{text}\""),
            };
        }
        return total;
    }

    /// <summary>Parses a JSON field that may be a number of seconds or a duration string; null when absent.</summary>
    public static TimeSpan? FromJson(JsonNode? node, string field)
    {
        if (node is null)
        {
            return null;
        }
        try
        {
            return node.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.Number => TimeSpan.FromSeconds(node.GetValue<double>()),
                System.Text.Json.JsonValueKind.String => Parse(node.GetValue<string>()),
                _ => throw new FormatException(),
            };
        }
        catch (FormatException)
        {
            throw VaultException.BadRequest($"error converting input {node.ToJsonString()} for field \"{field}\": time: invalid duration");
        }
    }

    /// <summary>Go's <c>time.Duration.String()</c> for whole seconds: <c>0s</c>, <c>1m30s</c>, <c>768h0m0s</c>.</summary>
    public static string ToGoString(TimeSpan d)
    {
        var total = (long)d.TotalSeconds;
        if (total == 0)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        if (total < 0)
        {
            sb.Append('-');
            total = -total;
        }
        var h = total / 3600;
        var m = total % 3600 / 60;
        var s = total % 60;
        if (h > 0)
        {
            sb.Append(h.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (h > 0 || m > 0)
        {
            sb.Append(m.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        sb.Append(s.ToString(CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }

    [GeneratedRegex(@"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h|d)")]
    private static partial Regex Unit();
}
