using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.GitOps.Sources;

/// <summary>What an Argo CD repository Secret is: one repository's (<c>repository</c>) or a URL prefix's template (<c>repo-creds</c>).</summary>
public enum CredentialScope
{
    Repository,
    RepoCreds,
}

/// <summary>
/// Credentials for a repository URL, as an Argo CD repository Secret carries them. For http(s), <see cref="Password"/>
/// is a password or a token (a token goes with any user name); for ssh, <see cref="SshPrivateKey"/> is a PEM/OpenSSH key.
/// <see cref="Insecure"/> skips TLS verification (http) or host key checking (ssh). <c>ToString</c> hides secrets.
/// </summary>
public sealed record RepositoryCredentials
{
    public const string SecretTypeLabel = "argocd.argoproj.io/secret-type";

    public required string Url { get; init; }
    public CredentialScope Scope { get; init; } = CredentialScope.Repository;
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? SshPrivateKey { get; init; }
    public bool Insecure { get; init; }

    /// <summary>The Secret's <c>type</c> field: <c>git</c> (the default) or <c>helm</c>.</summary>
    public string Type { get; init; } = "git";

    /// <summary>Where these came from (the Secret's namespace/name), for messages.</summary>
    public string? Source { get; init; }

    public bool HasSecret => !string.IsNullOrEmpty(Password) || !string.IsNullOrEmpty(SshPrivateKey);

    /// <summary>
    /// Reads an Argo CD repository Secret (label <c>argocd.argoproj.io/secret-type</c>: <c>repository</c> or <c>repo-creds</c>):
    /// <c>data</c> (base64) overlaid by <c>stringData</c>; fields <c>url</c>, <c>username</c>, <c>password</c>,
    /// <c>sshPrivateKey</c>, <c>insecure</c>, <c>type</c>.
    /// </summary>
    public static RepositoryCredentials FromSecret(JsonObject secret)
    {
        var metadata = secret["metadata"] as JsonObject;
        var name = $"{metadata?["namespace"]?.GetValue<string>()}/{metadata?["name"]?.GetValue<string>()}";
        var kind = (metadata?["labels"] as JsonObject)?[SecretTypeLabel]?.GetValue<string>();
        var scope = kind switch
        {
            "repository" => CredentialScope.Repository,
            "repo-creds" => CredentialScope.RepoCreds,
            _ => throw new ArgumentException($"secret {name} is not an Argo CD repository secret (label {SecretTypeLabel} is '{kind}')", nameof(secret)),
        };

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (secret["data"] is JsonObject data)
        {
            foreach (var (key, value) in data)
            {
                try
                {
                    fields[key] = Encoding.UTF8.GetString(Convert.FromBase64String(value?.GetValue<string>() ?? ""));
                }
                catch (FormatException)
                {
                    throw new ArgumentException($"secret {name}: data.{key} is not base64", nameof(secret));
                }
            }
        }
        if (secret["stringData"] is JsonObject stringData)
        {
            foreach (var (key, value) in stringData)
            {
                fields[key] = value?.GetValue<string>() ?? "";
            }
        }

        string? Field(string key) => fields.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        return new RepositoryCredentials
        {
            Url = Field("url") ?? throw new ArgumentException($"secret {name} has no url", nameof(secret)),
            Scope = scope,
            Username = Field("username"),
            Password = Field("password"),
            SshPrivateKey = Field("sshPrivateKey"),
            Insecure = string.Equals(Field("insecure"), "true", StringComparison.OrdinalIgnoreCase),
            Type = Field("type") ?? "git",
            Source = name,
        };
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Url = {RepositoryUrl.Redact(Url)}, Scope = {Scope}, Type = {Type}, Username = {Username}, ");
        builder.Append($"Password = {(Password is null ? "null" : "***")}, SshPrivateKey = {(SshPrivateKey is null ? "null" : "***")}, ");
        builder.Append($"Insecure = {Insecure}, Source = {Source}");
        return true;
    }
}

/// <summary>
/// Picks the credentials for a repository URL as Argo CD does: the <c>repository</c> entry whose URL is the same
/// (<see cref="RepositoryUrl.Normalize"/>) first; when there is none, or it carries no password or key, the
/// <c>repo-creds</c> entry with the longest URL prefix (a plain string prefix of the normalised URL, so end a prefix
/// with <c>/</c> to stop <c>https://host/org</c> matching <c>https://host/org-other</c>) lends its secrets. Entries of <c>type: helm</c> are ignored.
/// </summary>
public sealed class RepositoryCredentialsMatcher(IEnumerable<RepositoryCredentials> entries)
{
    private readonly RepositoryCredentials[] _entries = entries.Where(e => e.Type == "git").ToArray();

    public RepositoryCredentials? Match(string repoUrl)
    {
        var normalized = RepositoryUrl.Normalize(repoUrl);
        var repo = _entries.FirstOrDefault(e => e.Scope == CredentialScope.Repository && RepositoryUrl.Normalize(e.Url) == normalized);
        if (repo is { HasSecret: true })
        {
            return repo;
        }

        var template = _entries
            .Where(e => e.Scope == CredentialScope.RepoCreds)
            .Select(e => (Entry: e, Prefix: RepositoryUrl.Normalize(e.Url) + (e.Url.TrimEnd().EndsWith('/') ? "/" : "")))
            .Where(e => e.Prefix.Length > 0 && normalized.StartsWith(e.Prefix, StringComparison.Ordinal))
            .OrderByDescending(e => e.Prefix.Length)
            .Select(e => e.Entry)
            .FirstOrDefault();
        if (template is null)
        {
            return repo;
        }
        return new RepositoryCredentials
        {
            Url = repo?.Url ?? repoUrl,
            Scope = CredentialScope.Repository,
            Username = repo?.Username ?? template.Username,
            Password = template.Password,
            SshPrivateKey = template.SshPrivateKey,
            Insecure = (repo?.Insecure ?? false) || template.Insecure,
            Source = template.Source,
        };
    }
}
