using Mcg.GitOps.Applications;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;

namespace Mcg.GitOps.Controller;

/// <summary>
/// Application sources from Git through the shared repository cache, with credentials from Argo CD repository
/// Secrets (<c>argocd.argoproj.io/secret-type: repository|repo-creds</c>) in the control namespace.
/// </summary>
public sealed class GitManifestSource(RepositoryCache repositories, IKubeClient client, string controlNamespace) : IManifestSource
{
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
        var secrets = await client.ListAsync(ResourceRef.Secrets, controlNamespace,
            new ListOptions { LabelSelector = $"{RepositoryCredentials.SecretTypeLabel} in (repository,repo-creds)" }, ct);
        return new RepositoryCredentialsMatcher(secrets.Items.Select(RepositoryCredentials.FromSecret));
    }
}
