using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Sources;

public enum GitProvider
{
    GitHub,
    GitLab,
    Gitea,
}

/// <summary>What a webhook request came to: a push, something to ignore, a request to refuse (bad or missing signature or token: answer 401/403), or an unreadable body (400).</summary>
public enum WebhookOutcome
{
    Push,
    Ignored,
    Rejected,
    Malformed,
}

/// <summary>
/// A push: every URL form the payload gives for the repository (web, http clone, ssh, git), the pushed reference,
/// the SHAs before and after, the repository's default branch when the payload says, and the paths the commits touched.
/// </summary>
public sealed record PushEvent(
    GitProvider Provider,
    IReadOnlyList<string> RepositoryUrls,
    string Ref,
    string? Before,
    string After,
    string? DefaultBranch,
    IReadOnlyList<string> ChangedFiles)
{
    public string? Branch => Ref.StartsWith("refs/heads/", StringComparison.Ordinal) ? Ref["refs/heads/".Length..] : null;

    public string? Tag => Ref.StartsWith("refs/tags/", StringComparison.Ordinal) ? Ref["refs/tags/".Length..] : null;

    /// <summary>The reference was deleted (the after SHA is all zeros).</summary>
    public bool Deleted => After.Length > 0 && After.All(c => c == '0');

    /// <summary>Whether the push is to <paramref name="repoUrl"/> (<see cref="RepositoryUrl.Same"/>, any form).</summary>
    public bool IsFor(string repoUrl) => RepositoryUrls.Any(u => RepositoryUrl.Same(u, repoUrl));

    /// <summary>
    /// Whether an Application on <paramref name="repoUrl"/> at <paramref name="targetRevision"/> should refresh, as Argo CD
    /// decides: same repository, and the revision names the pushed branch or tag (empty or <c>HEAD</c> stands for the
    /// default branch, or any branch when the payload does not name it). A pinned SHA never matches.
    /// </summary>
    public bool Affects(string repoUrl, string? targetRevision)
    {
        if (!IsFor(repoUrl))
        {
            return false;
        }
        var revision = string.IsNullOrWhiteSpace(targetRevision) ? "HEAD" : targetRevision.Trim();
        if (revision == "HEAD")
        {
            return Branch is not null && (DefaultBranch is null || Branch == DefaultBranch);
        }
        return revision == Ref || revision == Branch || revision == Tag;
    }
}

/// <summary>The outcome of <see cref="WebhookParser.Parse"/>; <see cref="Push"/> is set for <see cref="WebhookOutcome.Push"/>.</summary>
public sealed record WebhookResult(WebhookOutcome Outcome, PushEvent? Push, string? Reason)
{
    public static WebhookResult Accepted(PushEvent push) => new(WebhookOutcome.Push, push, null);
    public static WebhookResult Ignored(string reason) => new(WebhookOutcome.Ignored, null, reason);
    public static WebhookResult Rejected(string reason) => new(WebhookOutcome.Rejected, null, reason);
    public static WebhookResult Malformed(string reason) => new(WebhookOutcome.Malformed, null, reason);
}

/// <summary>Shared secrets per provider (Argo CD's <c>webhook.github.secret</c>, …); a provider without one is not verified.</summary>
public sealed record WebhookSecrets(string? GitHub = null, string? GitLab = null, string? Gitea = null);

/// <summary>
/// Reads push webhooks: GitHub (<c>X-GitHub-Event</c>, <c>X-Hub-Signature-256</c> = <c>sha256=</c> hex HMAC-SHA256 of the
/// body), GitLab (<c>X-Gitlab-Event</c>: <c>Push Hook</c> or <c>Tag Push Hook</c>, <c>X-Gitlab-Token</c> = the secret) and
/// Gitea (<c>X-Gitea-Event</c>, <c>X-Gitea-Signature</c> = hex HMAC-SHA256; checked before GitHub since Gitea also sends
/// GitHub's headers). The signature or token is checked, in constant time, before anything else is read.
/// </summary>
public sealed class WebhookParser(WebhookSecrets secrets)
{
    public WebhookResult Parse(IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in headers)
        {
            h[key] = value;
        }
        string? Header(string name) => h.TryGetValue(name, out var v) ? v.Trim() : null;

        if (Header("X-Gitea-Event") is { } giteaEvent)
        {
            if (secrets.Gitea is { } secret && !HmacMatches(secret, body.Span, Header("X-Gitea-Signature")))
            {
                return WebhookResult.Rejected("Gitea signature (X-Gitea-Signature) missing or wrong");
            }
            return giteaEvent == "push" ? ParsePush(GitProvider.Gitea, h, body) : WebhookResult.Ignored($"Gitea event '{giteaEvent}'");
        }
        if (Header("X-GitHub-Event") is { } githubEvent)
        {
            if (secrets.GitHub is { } secret)
            {
                var signature = Header("X-Hub-Signature-256");
                if (signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal) || !HmacMatches(secret, body.Span, signature["sha256=".Length..]))
                {
                    return WebhookResult.Rejected("GitHub signature (X-Hub-Signature-256) missing or wrong");
                }
            }
            return githubEvent == "push" ? ParsePush(GitProvider.GitHub, h, body) : WebhookResult.Ignored($"GitHub event '{githubEvent}'");
        }
        if (Header("X-Gitlab-Event") is { } gitlabEvent)
        {
            if (secrets.GitLab is { } secret && !SecretMatches(secret, Header("X-Gitlab-Token")))
            {
                return WebhookResult.Rejected("GitLab token (X-Gitlab-Token) missing or wrong");
            }
            return gitlabEvent is "Push Hook" or "Tag Push Hook" ? ParsePush(GitProvider.GitLab, h, body) : WebhookResult.Ignored($"GitLab event '{gitlabEvent}'");
        }
        return WebhookResult.Ignored("not a GitHub, GitLab or Gitea webhook");
    }

    private static WebhookResult ParsePush(GitProvider provider, Dictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        JsonObject payload;
        try
        {
            payload = JsonNode.Parse(JsonBody(headers, body).Span) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return WebhookResult.Malformed($"{provider} payload is not JSON: {e.Message}");
        }

        var after = Text(payload["after"]);
        var reference = Text(payload["ref"]);
        if (after is null || reference is null)
        {
            return WebhookResult.Malformed($"{provider} push payload has no 'ref' or 'after'");
        }

        var urls = new List<string>();
        void Add(JsonNode? owner, params string[] fields)
        {
            foreach (var field in fields)
            {
                if (Text(owner?[field]) is { } url && !urls.Contains(url))
                {
                    urls.Add(url);
                }
            }
        }
        string? defaultBranch;
        if (provider == GitProvider.GitLab)
        {
            Add(payload["project"], "web_url", "git_http_url", "git_ssh_url", "http_url", "ssh_url", "url", "homepage");
            Add(payload["repository"], "homepage", "git_http_url", "git_ssh_url", "url");
            defaultBranch = Text(payload["project"]?["default_branch"]);
        }
        else
        {
            Add(payload["repository"], "html_url", "clone_url", "ssh_url", "git_url", "url");
            defaultBranch = Text(payload["repository"]?["default_branch"]) ?? Text(payload["repository"]?["master_branch"]);
        }
        if (urls.Count == 0)
        {
            return WebhookResult.Malformed($"{provider} push payload names no repository URL");
        }

        var changed = new List<string>();
        if (payload["commits"] is JsonArray commits)
        {
            foreach (var commit in commits)
            {
                foreach (var field in new[] { "added", "modified", "removed" })
                {
                    if (commit?[field] is JsonArray paths)
                    {
                        changed.AddRange(paths.Select(Text).OfType<string>());
                    }
                }
            }
        }

        return WebhookResult.Accepted(new PushEvent(provider, urls, reference, Text(payload["before"]), after, defaultBranch, changed.Distinct().ToList()));
    }

    /// <summary>The JSON document: the body itself, or its <c>payload</c> field when form-encoded (a GitHub option).</summary>
    private static ReadOnlyMemory<byte> JsonBody(Dictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        if (!headers.TryGetValue("Content-Type", out var type) || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }
        foreach (var pair in Encoding.UTF8.GetString(body.Span).Split('&'))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq] == "payload")
            {
                return Encoding.UTF8.GetBytes(Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' ')));
            }
        }
        throw new FormatException("form body has no 'payload'");
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    /// <summary>Constant-time check of a hex HMAC-SHA256 of the body.</summary>
    internal static bool HmacMatches(string secret, ReadOnlySpan<byte> body, string? hexSignature)
    {
        if (hexSignature is null || hexSignature.Length != 64 || !hexSignature.All(char.IsAsciiHexDigit))
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(hexSignature));
    }

    /// <summary>Constant-time equality (of the SHA-256 digests, so the length leaks nothing either).</summary>
    private static bool SecretMatches(string secret, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
