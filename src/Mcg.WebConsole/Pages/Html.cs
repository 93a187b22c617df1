using System.Globalization;
using System.Net;

namespace Mcg.WebConsole.Pages;

/// <summary>HTML building blocks: every text that comes from the API goes through <see cref="E"/>.</summary>
public static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A path segment for a link.</summary>
    public static string U(string? text) => Uri.EscapeDataString(text ?? "");

    /// <summary>A coloured status badge: green for the good states, amber for in-between, red for the bad ones.</summary>
    public static string Badge(string? status)
    {
        var s = string.IsNullOrEmpty(status) ? "Unknown" : status;
        var tone = s switch
        {
            "Synced" or "Healthy" or "Compliant" or "True" or "Running" or "Bound" or "Succeeded" or "Available" => "ok",
            "OutOfSync" or "Progressing" or "Pending" or "Suspended" or "Initializing" or "Terminating" => "warn",
            "Degraded" or "NonCompliant" or "False" or "Missing" or "Failed" or "Failing" or "Error" => "bad",
            _ => "none",
        };
        return $"""<span class="badge {tone}">{E(s)}</span>""";
    }

    public static string Age(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is null)
        {
            return "-";
        }
        var d = now - time.Value;
        return d.TotalSeconds < 0 ? "0s"
            : d.TotalMinutes < 2 ? $"{(int)d.TotalSeconds}s"
            : d.TotalHours < 2 ? $"{(int)d.TotalMinutes}m"
            : d.TotalDays < 2 ? $"{(int)d.TotalHours}h" : $"{(int)d.TotalDays}d";
    }

    public static string Age(string? timestamp, DateTimeOffset now) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? Age(t, now) : "-";

    public static string Short(string? sha) => string.IsNullOrEmpty(sha) ? "" : sha[..Math.Min(7, sha.Length)];

    public static string Labels(IEnumerable<KeyValuePair<string, string>> labels) =>
        string.Concat(labels.Select(l => $"""<span class="tag">{E(l.Key)}={E(l.Value)}</span> """));

    /// <summary>A table with a header row; rows are already-encoded cells. Empty: a muted line instead.</summary>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string empty = "None.")
    {
        var body = string.Concat(rows.Select(r => "<tr>" + string.Concat(r.Select(c => $"<td>{c}</td>")) + "</tr>\n"));
        if (body.Length == 0)
        {
            return $"""<p class="muted">{E(empty)}</p>""";
        }
        return $"""<table><thead><tr>{string.Concat(headers.Select(h => $"<th>{E(h)}</th>"))}</tr></thead><tbody>{body}</tbody></table>""";
    }
}
