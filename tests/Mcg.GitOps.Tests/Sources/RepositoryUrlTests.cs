using Mcg.GitOps.Sources;

namespace Mcg.GitOps.Tests.Sources;

public sealed class RepositoryUrlTests
{
    [Theory]
    [InlineData("https://github.com/argoproj/argo-cd", "https://github.com/argoproj/argo-cd.git")]
    [InlineData("https://github.com/argoproj/argo-cd", "git@github.com:argoproj/argo-cd.git")]
    [InlineData("https://github.com/argoproj/argo-cd", "ssh://git@github.com/argoproj/argo-cd")]
    [InlineData("https://GitHub.com/ArgoProj/Argo-CD/", "git://github.com/argoproj/argo-cd.git")]
    [InlineData("https://gitlab.example.com/group/sub/app", "ssh://git@gitlab.example.com:2222/group/sub/app.git")]
    [InlineData("http://gitea.local:3000/john/repo", "git@gitea.local:john/repo.git")]
    [InlineData("https://user@dev.azure.com/org/project/_git/repo", "https://dev.azure.com/org/project/_git/repo")]
    [InlineData("/srv/git/repo", "file:///srv/git/repo/")]
    public void Same_treats_forms_of_one_repository_as_equal(string a, string b)
    {
        Assert.True(RepositoryUrl.Same(a, b));
        Assert.True(RepositoryUrl.Same(b, a));
    }

    [Theory]
    [InlineData("https://github.com/argoproj/argo-cd", "https://github.com/argoproj/argo-cd-other")]
    [InlineData("https://github.com/argoproj/argo-cd", "https://gitlab.com/argoproj/argo-cd")]
    [InlineData("git@github.com:org/a.git", "git@github.com:org/b.git")]
    [InlineData("https://github.com/org/repo", "/org/repo")]
    [InlineData("", "")]
    public void Same_tells_different_repositories_apart(string a, string b) => Assert.False(RepositoryUrl.Same(a, b));

    [Theory]
    [InlineData("https://GitHub.com/Org/Repo.git/", "https://github.com/org/repo")]
    [InlineData("git@github.com:org/repo.git", "git@github.com/org/repo")]
    [InlineData("ssh://git@github.com/org/repo.git", "git@github.com/org/repo")]
    [InlineData("ssh://git@gitlab:2222/group/name.git", "git@gitlab:2222/group/name")]
    public void Normalize_matches_argo_cd(string url, string expected) => Assert.Equal(expected, RepositoryUrl.Normalize(url));

    [Theory]
    [InlineData("https://GitHub.com/Org/Repo.git/", "https://github.com/Org/Repo")]
    [InlineData("https://user:pw@github.com/Org/Repo", "https://github.com/Org/Repo")]
    [InlineData("git@GitHub.com:Org/Repo.git", "ssh://git@github.com/Org/Repo")]
    [InlineData("ssh://git@github.com:2222/Org/Repo", "ssh://git@github.com:2222/Org/Repo")]
    [InlineData("file:///srv/git/repo.git", "file:///srv/git/repo")]
    [InlineData("/srv/git/repo/", "file:///srv/git/repo")]
    public void Cache_key_keeps_path_case_and_drops_suffixes(string url, string expected) => Assert.Equal(expected, RepositoryUrl.CacheKey(url));

    [Theory]
    [InlineData("git@github.com:org/repo", true, false)]
    [InlineData("ssh://git@github.com/org/repo", true, false)]
    [InlineData("https://github.com/org/repo", false, false)]
    [InlineData("/srv/repo", false, true)]
    [InlineData("file:///srv/repo", false, true)]
    [InlineData("C:/repos/x", false, true)]
    public void Classifies_transports(string url, bool ssh, bool local)
    {
        Assert.Equal(ssh, RepositoryUrl.IsSsh(url));
        Assert.Equal(local, RepositoryUrl.IsLocal(url));
    }

    [Fact]
    public void Redact_hides_passwords() =>
        Assert.Equal("https://user:***@host/repo", RepositoryUrl.Redact("https://user:token@host/repo"));
}
