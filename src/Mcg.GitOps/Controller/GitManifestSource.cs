using Mcg.GitOps.Applications;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;

namespace Mcg.GitOps.Controller;

/// <summary>
/// Application sources from Git through the shared repository cache, with credentials from Argo CD repository
/// Secrets (<c>argocd.argoproj.io/secret-type: repository|repo-creds</c>) in the control namespace.
/// </summary>
public sealed class GitManifestSource(RepositoryCache repositories, IKubeClient client, string controlNamespace, TimeProvider? clock = null) : IManifestSource
{
    // Every reconcile of every application fetches; a fleet of them must not list the Secrets each time.
    private static readonly TimeSpan CredentialsTtl = TimeSpan.FromSeconds(2);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private (RepositoryCredentialsMatcher Matcher, DateTimeOffset At)? _credentials;

    public async Task<SourceSnapshot> FetchAsync(ApplicationSource source, string? revision, CancellationToken ct)
    {
        var credentials = (await CredentialsAsync(ct)).Match(source.RepoUrl);
        var repo = new RepoSource(source.RepoUrl, credentials);
        var resolved = await repositories.ResolveAsync(repo, revision ?? source.TargetRevision, ct);
        var directory = await repositories.CheckoutAsync(repo, resolved.Sha, ct);
        return new SourceSnapshot(resolved.Sha, directory);
    }

    /// <summary>Makes the next fetch of this repository go to the remote at once (a webhook said it changed).</summary>
    public void Invalidate(string repoUrl) => repositories.Invalidate(repoUrl);

    private async Task<RepositoryCredentialsMatcher> CredentialsAsync(CancellationToken ct)
    {
        if (_credentials is { } cached && _clock.GetUtcNow() - cached.At < CredentialsTtl)
        {
            return cached.Matcher;
        }
        var secrets = await client.ListAsync(ResourceRef.Secrets, controlNamespace,
            new ListOptions { LabelSelector = $"{RepositoryCredentials.SecretTypeLabel} in (repository,repo-creds)" }, ct);
        var matcher = new RepositoryCredentialsMatcher(secrets.Items.Select(RepositoryCredentials.FromSecret));
        _credentials = (matcher, _clock.GetUtcNow());
        return matcher;
    }
}
