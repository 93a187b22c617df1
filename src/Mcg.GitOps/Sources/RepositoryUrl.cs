namespace Mcg.GitOps.Sources;

/// <summary>
/// Git repository URL forms: <c>https://host/path</c>, <c>http://</c>, <c>git://</c>, <c>ssh://user@host[:port]/path</c>,
/// scp-like <c>user@host:path</c>, <c>file:///path</c> and plain local paths.
/// </summary>
public static class RepositoryUrl
{
    /// <summary>A remote URL split into parts; <see cref="Scheme"/> is <c>ssh</c> for the scp-like form.</summary>
    internal sealed record Parts(string Scheme, string? UserInfo, string Host, int? Port, string Path);

    /// <summary>True for <c>ssh://</c> URLs and the scp-like <c>user@host:path</c> form.</summary>
    public static bool IsSsh(string url) => Parse(url)?.Scheme == "ssh";

    /// <summary>True for <c>file://</c> URLs and plain local paths.</summary>
    public static bool IsLocal(string url) => Parse(url) is null;

    /// <summary>
    /// Argo CD's <c>NormalizeGitURL</c>: lower case, scp-like turned into the ssh form, <c>ssh://</c> dropped,
    /// trailing <c>/</c> and <c>.git</c> removed. Used to match repositories with credentials.
    /// </summary>
    public static string Normalize(string url)
    {
        var u = url.Trim().ToLowerInvariant();
        if (Parse(u) is { Scheme: "ssh" } p)
        {
            u = (p.UserInfo is null ? "" : p.UserInfo + "@") + p.Host + (p.Port is { } port ? ":" + port : "") + "/" + p.Path.TrimStart('/');
        }
        return TrimRepoSuffix(u);
    }

    /// <summary>
    /// Whether two URLs name the same repository whatever the transport: https, http, git, ssh and scp-like forms of the
    /// same host and path are equal (ports, user names and case ignored, <c>.git</c> optional), as Argo CD matches
    /// webhook payloads to applications. Local paths are equal when they name the same directory.
    /// </summary>
    public static bool Same(string a, string b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
        {
            return false;
        }
        var (pa, pb) = (Parse(a), Parse(b));
        if (pa is null || pb is null)
        {
            return pa is null && pb is null && LocalPath(a) == LocalPath(b);
        }
        return string.Equals(pa.Host, pb.Host, StringComparison.OrdinalIgnoreCase)
            && string.Equals(TrimRepoSuffix(pa.Path).Trim('/'), TrimRepoSuffix(pb.Path).Trim('/'), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The key of a repository's cache entry: scheme and host lower-cased, trailing <c>/</c> and <c>.git</c> removed,
    /// path case kept; user info dropped from http(s) URLs (credentials come separately); local paths made absolute.
    /// </summary>
    public static string CacheKey(string url)
    {
        if (Parse(url) is not { } p)
        {
            return "file://" + LocalPath(url);
        }
        var user = p.Scheme == "ssh" && p.UserInfo is not null ? p.UserInfo + "@" : "";
        var port = p.Port is { } n ? ":" + n : "";
        return $"{p.Scheme}://{user}{p.Host.ToLowerInvariant()}{port}/{TrimRepoSuffix(p.Path).TrimStart('/')}";
    }

    /// <summary>The URL with any password in its user info replaced by <c>***</c>, for messages and logs.</summary>
    public static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return url;
        }
        var authorityEnd = url.IndexOf('/', scheme + 3);
        var authority = authorityEnd < 0 ? url[(scheme + 3)..] : url[(scheme + 3)..authorityEnd];
        var at = authority.LastIndexOf('@');
        var colon = at < 0 ? -1 : authority.IndexOf(':');
        if (colon < 0 || colon > at)
        {
            return url;
        }
        return string.Concat(url.AsSpan(0, scheme + 3), authority.AsSpan(0, colon), ":***", url.AsSpan(scheme + 3 + at));
    }

    /// <summary>Splits a remote URL; null for local paths and <c>file://</c> URLs.</summary>
    internal static Parts? Parse(string url)
    {
        url = url.Trim();
        var sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep > 0)
        {
            var scheme = url[..sep].ToLowerInvariant();
            if (scheme == "file")
            {
                return null;
            }
            var rest = url[(sep + 3)..];
            var slash = rest.IndexOf('/');
            var authority = slash < 0 ? rest : rest[..slash];
            var path = slash < 0 ? "/" : rest[slash..];
            var at = authority.LastIndexOf('@');
            var user = at < 0 ? null : authority[..at];
            var (host, port) = SplitHostPort(authority[(at + 1)..]);
            return new Parts(scheme, user, host, port, path);
        }
        if (IsScpLike(url))
        {
            var colon = url.IndexOf(':');
            var authority = url[..colon];
            var at = authority.LastIndexOf('@');
            return new Parts("ssh", at < 0 ? null : authority[..at], authority[(at + 1)..], null, url[(colon + 1)..]);
        }
        return null;
    }

    /// <summary>git's rule: a colon before the first slash, not a DOS drive letter.</summary>
    private static bool IsScpLike(string url)
    {
        var colon = url.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }
        var slash = url.IndexOf('/');
        var isDrive = colon == 1 && char.IsAsciiLetter(url[0]) && (url.Length == 2 || url[2] is '/' or '\\');
        return (slash < 0 || colon < slash) && !isDrive;
    }

    private static (string Host, int? Port) SplitHostPort(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            var end = hostPort.IndexOf(']');
            if (end > 0)
            {
                var tail = hostPort[(end + 1)..];
                return (hostPort[..(end + 1)], tail.StartsWith(':') && int.TryParse(tail[1..], out var p6) ? p6 : null);
            }
        }
        var colon = hostPort.LastIndexOf(':');
        return colon >= 0 && int.TryParse(hostPort[(colon + 1)..], out var port) ? (hostPort[..colon], port) : (hostPort, null);
    }

    internal static string LocalPath(string url)
    {
        var path = url.Trim();
        if (path.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            path = Uri.UnescapeDataString(path["file://".Length..]);
        }
        var trimmed = TrimRepoSuffix(path);
        return Path.GetFullPath(trimmed.Length == 0 ? "/" : trimmed);
    }

    private static string TrimRepoSuffix(string s)
    {
        s = s.TrimEnd('/');
        if (s.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^4].TrimEnd('/');
        }
        return s;
    }
}
