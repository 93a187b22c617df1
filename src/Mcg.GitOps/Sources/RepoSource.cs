namespace Mcg.GitOps.Sources;

/// <summary>A Git repository to read: its URL (any form <see cref="RepositoryUrl"/> knows) and the credentials to use.</summary>
public sealed record RepoSource(string Url, RepositoryCredentials? Credentials = null)
{
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            throw new ArgumentException("repository URL is empty");
        }
        if (Url.TrimStart().StartsWith('-'))
        {
            throw new ArgumentException($"invalid repository URL '{Url}'");
        }
    }
}

/// <summary>A commit, for history and status: full SHA, message, author and author date.</summary>
public sealed record CommitInfo(string Sha, string Message, string AuthorName, string AuthorEmail, DateTimeOffset Date);

/// <summary>
/// What a target revision resolved to: the commit SHA and, for a branch or tag, the full reference name
/// (<c>refs/heads/main</c>, <c>refs/tags/v1</c>); <c>HEAD</c> for the remote's default branch; null for a SHA.
/// </summary>
public sealed record ResolvedRevision(string Revision, string Sha, string? Reference, CommitInfo Commit);

/// <summary>A Git source failure: fetch, resolution or checkout. Messages name the repository (without passwords).</summary>
public class GitSourceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The target revision is no branch, tag or commit of the repository.</summary>
public sealed class RevisionNotFoundException(string repoUrl, string revision, string? detail = null)
    : GitSourceException($"revision '{revision}' not found in repository {RepositoryUrl.Redact(repoUrl)}{(detail is null ? "" : ": " + detail)}")
{
    public string RepoUrl { get; } = RepositoryUrl.Redact(repoUrl);
    public string Revision { get; } = revision;
}
