using System.Text.Json.Nodes;
using Mcg.GitOps.Sources;

namespace Mcg.GitOps.Tests.Sources;

public sealed class RepositoryCredentialsTests
{
    private static string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));

    private static JsonObject Secret(string type, JsonObject? data = null, JsonObject? stringData = null)
    {
        var secret = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = "repo-1",
                ["namespace"] = "argocd",
                ["labels"] = new JsonObject { ["argocd.argoproj.io/secret-type"] = type },
            },
        };
        if (data is not null)
        {
            secret["data"] = data;
        }
        if (stringData is not null)
        {
            secret["stringData"] = stringData;
        }
        return secret;
    }

    [Fact]
    public void Reads_a_repository_secret_from_base64_data()
    {
        var creds = RepositoryCredentials.FromSecret(Secret("repository", new JsonObject
        {
            ["type"] = B64("git"),
            ["url"] = B64("https://github.com/org/private"),
            ["username"] = B64("bot"),
            ["password"] = B64("ghp_token"),
            ["insecure"] = B64("true"),
        }));
        Assert.Equal(CredentialScope.Repository, creds.Scope);
        Assert.Equal("https://github.com/org/private", creds.Url);
        Assert.Equal("bot", creds.Username);
        Assert.Equal("ghp_token", creds.Password);
        Assert.True(creds.Insecure);
        Assert.Equal("argocd/repo-1", creds.Source);
    }

    [Fact]
    public void String_data_overrides_data()
    {
        var key = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
        var creds = RepositoryCredentials.FromSecret(Secret("repo-creds",
            new JsonObject { ["url"] = B64("git@github.com:old"), ["sshPrivateKey"] = B64("old") },
            new JsonObject { ["url"] = "git@github.com:org", ["sshPrivateKey"] = key }));
        Assert.Equal(CredentialScope.RepoCreds, creds.Scope);
        Assert.Equal("git@github.com:org", creds.Url);
        Assert.Equal(key, creds.SshPrivateKey);
        Assert.False(creds.Insecure);
    }

    [Fact]
    public void Refuses_secrets_that_are_not_repository_secrets()
    {
        Assert.Throws<ArgumentException>(() => RepositoryCredentials.FromSecret(Secret("cluster", stringData: new JsonObject { ["url"] = "https://x" })));
        Assert.Throws<ArgumentException>(() => RepositoryCredentials.FromSecret(Secret("repository", stringData: new JsonObject { ["username"] = "x" })));
        Assert.Throws<ArgumentException>(() => RepositoryCredentials.FromSecret(Secret("repository", new JsonObject { ["url"] = "not base64!" })));
    }

    [Fact]
    public void ToString_hides_secrets()
    {
        var text = new RepositoryCredentials { Url = "https://u:pw@host/r", Username = "u", Password = "hunter2", SshPrivateKey = "KEY" }.ToString();
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("KEY", text);
        Assert.DoesNotContain(":pw@", text);
        Assert.Contains("Username = u", text);
        Assert.DoesNotContain("hunter2", new RepoSource("https://host/r", new RepositoryCredentials { Url = "x", Password = "hunter2" }).ToString());
    }

    [Fact]
    public void Matcher_prefers_the_exact_repository_then_the_longest_prefix()
    {
        var matcher = new RepositoryCredentialsMatcher(
        [
            new RepositoryCredentials { Url = "https://github.com/", Scope = CredentialScope.RepoCreds, Password = "all-github" },
            new RepositoryCredentials { Url = "https://github.com/org/", Scope = CredentialScope.RepoCreds, Username = "org-bot", Password = "org" },
            new RepositoryCredentials { Url = "https://GitHub.com/org/special.git", Password = "special" },
            new RepositoryCredentials { Url = "https://github.com/org/public", Insecure = true },
            new RepositoryCredentials { Url = "https://github.com/org/chart", Password = "helm", Type = "helm" },
            new RepositoryCredentials { Url = "git@gitlab.com:team", Scope = CredentialScope.RepoCreds, SshPrivateKey = "KEY" },
        ]);

        Assert.Equal("special", matcher.Match("https://github.com/org/special")?.Password);
        Assert.Equal("org", matcher.Match("https://github.com/org/other.git")?.Password);
        Assert.Equal("org-bot", matcher.Match("https://github.com/org/other")?.Username);
        Assert.Equal("all-github", matcher.Match("https://github.com/someone/else")?.Password);
        Assert.Equal("org", matcher.Match("https://github.com/org/chart")?.Password);
        Assert.Equal("KEY", matcher.Match("ssh://git@gitlab.com/team/app.git")?.SshPrivateKey);
        Assert.Null(matcher.Match("https://bitbucket.org/org/x"));

        var inherited = matcher.Match("https://github.com/org/public");
        Assert.Equal("org", inherited?.Password);
        Assert.Equal("https://github.com/org/public", inherited?.Url);
        Assert.True(inherited?.Insecure);
    }

    [Fact]
    public void Matcher_returns_a_repository_without_secrets_when_no_template_matches()
    {
        var matcher = new RepositoryCredentialsMatcher([new RepositoryCredentials { Url = "https://example.com/r", Insecure = true }]);
        Assert.True(matcher.Match("https://example.com/r.git")?.Insecure);
    }
}
