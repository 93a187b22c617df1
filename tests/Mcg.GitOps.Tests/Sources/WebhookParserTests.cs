using System.Security.Cryptography;
using System.Text;
using Mcg.GitOps.Sources;

namespace Mcg.GitOps.Tests.Sources;

public sealed class WebhookParserTests
{
    private const string Secret = "It's a Secret to Everybody";

    private static byte[] Payload(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Sources", "Payloads", name));

    private static string Hmac(byte[] body, string secret = Secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static readonly WebhookParser Parser = new(new WebhookSecrets(GitHub: Secret, GitLab: Secret, Gitea: Secret));

    private static WebhookResult Parse(WebhookParser parser, byte[] body, params (string Name, string Value)[] headers) =>
        parser.Parse(headers.Select(h => KeyValuePair.Create(h.Name, h.Value)), body);

    [Fact]
    public void GitHub_push_with_a_good_signature()
    {
        var body = Payload("github-push.json");
        var result = Parse(Parser, body, ("X-GitHub-Event", "push"), ("x-hub-signature-256", "sha256=" + Hmac(body)), ("X-GitHub-Delivery", "72d3162e"));

        Assert.Equal(WebhookOutcome.Push, result.Outcome);
        var push = result.Push!;
        Assert.Equal(GitProvider.GitHub, push.Provider);
        Assert.Equal("refs/heads/main", push.Ref);
        Assert.Equal("main", push.Branch);
        Assert.Null(push.Tag);
        Assert.Equal("59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5", push.After);
        Assert.Equal("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.Before);
        Assert.Equal("main", push.DefaultBranch);
        Assert.False(push.Deleted);
        Assert.Equal(
            new[] { "https://github.com/octo-org/gitops-demo", "https://github.com/octo-org/gitops-demo.git", "git@github.com:octo-org/gitops-demo.git", "git://github.com/octo-org/gitops-demo.git" },
            push.RepositoryUrls);
        Assert.Equal(new[] { "apps/guestbook/deployment.yaml", "apps/redis/statefulset.yaml", "apps/old/configmap.yaml" }.Order(), push.ChangedFiles.Order());
        Assert.True(push.IsFor("ssh://git@github.com/octo-org/gitops-demo"));
        Assert.True(push.Affects("https://github.com/octo-org/gitops-demo.git", "HEAD"));
        Assert.True(push.Affects("git@github.com:octo-org/gitops-demo.git", "main"));
        Assert.False(push.Affects("https://github.com/octo-org/gitops-demo", "develop"));
        Assert.False(push.Affects("https://github.com/octo-org/gitops-demo", "59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5"));
        Assert.False(push.Affects("https://github.com/octo-org/other", "main"));
    }

    [Theory]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256=nothex")]
    [InlineData("sha1=2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")]
    [InlineData(null)]
    public void GitHub_push_with_a_bad_or_missing_signature_is_rejected(string? signature)
    {
        var body = Payload("github-push.json");
        var headers = new List<(string, string)> { ("X-GitHub-Event", "push") };
        if (signature is not null)
        {
            headers.Add(("X-Hub-Signature-256", signature));
        }
        var result = Parse(Parser, body, [.. headers]);
        Assert.Equal(WebhookOutcome.Rejected, result.Outcome);
        Assert.Null(result.Push);
    }

    [Fact]
    public void A_signature_made_with_another_secret_or_over_another_body_is_rejected()
    {
        var body = Payload("github-push.json");
        Assert.Equal(WebhookOutcome.Rejected, Parse(Parser, body, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + Hmac(body, "other"))).Outcome);
        var tampered = body.ToArray();
        tampered[10] ^= 1;
        Assert.Equal(WebhookOutcome.Rejected, Parse(Parser, tampered, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + Hmac(body))).Outcome);
    }

    [Fact]
    public void GitHub_ping_is_ignored()
    {
        var body = Payload("github-ping.json");
        var result = Parse(Parser, body, ("X-GitHub-Event", "ping"), ("X-Hub-Signature-256", "sha256=" + Hmac(body)));
        Assert.Equal(WebhookOutcome.Ignored, result.Outcome);
        Assert.Contains("ping", result.Reason);
    }

    [Fact]
    public void Without_a_configured_secret_pushes_are_accepted_unsigned()
    {
        var result = Parse(new WebhookParser(new WebhookSecrets()), Payload("github-push.json"), ("X-GitHub-Event", "push"));
        Assert.Equal(WebhookOutcome.Push, result.Outcome);
    }

    [Fact]
    public void GitHub_form_encoded_payload()
    {
        var json = Encoding.UTF8.GetString(Payload("github-push.json"));
        var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json));
        var result = Parse(Parser, body, ("X-GitHub-Event", "push"), ("Content-Type", "application/x-www-form-urlencoded"), ("X-Hub-Signature-256", "sha256=" + Hmac(body)));
        Assert.Equal("59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5", result.Push?.After);
    }

    [Fact]
    public void GitLab_push_with_the_right_token()
    {
        var result = Parse(Parser, Payload("gitlab-push.json"), ("X-Gitlab-Event", "Push Hook"), ("X-Gitlab-Token", Secret));

        Assert.Equal(WebhookOutcome.Push, result.Outcome);
        var push = result.Push!;
        Assert.Equal(GitProvider.GitLab, push.Provider);
        Assert.Equal("develop", push.Branch);
        Assert.Equal("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", push.After);
        Assert.Equal("main", push.DefaultBranch);
        Assert.Contains("https://gitlab.example.com/infra/platform-config", push.RepositoryUrls);
        Assert.Contains("https://gitlab.example.com/infra/platform-config.git", push.RepositoryUrls);
        Assert.Contains("ssh://git@gitlab.example.com:2222/infra/platform-config.git", push.RepositoryUrls);
        Assert.Equal(new[] { "clusters/prod/ingress/values.yaml", "clusters/prod/kustomization.yaml" }, push.ChangedFiles);
        Assert.True(push.Affects("git@gitlab.example.com:infra/platform-config.git", "develop"));
        Assert.False(push.Affects("https://gitlab.example.com/infra/platform-config", "HEAD"));
    }

    [Fact]
    public void GitLab_tag_push()
    {
        var result = Parse(Parser, Payload("gitlab-tag-push.json"), ("X-Gitlab-Event", "Tag Push Hook"), ("X-Gitlab-Token", Secret));
        Assert.Equal(WebhookOutcome.Push, result.Outcome);
        Assert.Equal("v2.3.0", result.Push!.Tag);
        Assert.Null(result.Push.Branch);
        Assert.True(result.Push.Affects("https://gitlab.example.com/infra/platform-config.git", "v2.3.0"));
        Assert.False(result.Push.Affects("https://gitlab.example.com/infra/platform-config.git", "HEAD"));
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("It's a Secret to Everybody ")]
    [InlineData(null)]
    public void GitLab_with_a_wrong_or_missing_token_is_rejected(string? token)
    {
        var headers = new List<(string, string)> { ("X-Gitlab-Event", "Push Hook") };
        if (token is not null)
        {
            headers.Add(("X-Gitlab-Token", token + "x"));
        }
        Assert.Equal(WebhookOutcome.Rejected, Parse(Parser, Payload("gitlab-push.json"), [.. headers]).Outcome);
    }

    [Fact]
    public void GitLab_other_events_are_ignored() =>
        Assert.Equal(WebhookOutcome.Ignored, Parse(Parser, "{}"u8.ToArray(), ("X-Gitlab-Event", "Merge Request Hook"), ("X-Gitlab-Token", Secret)).Outcome);

    [Fact]
    public void Gitea_push_with_a_good_signature_even_with_github_headers()
    {
        var body = Payload("gitea-push.json");
        var result = Parse(Parser, body,
            ("X-Gitea-Event", "push"), ("X-Gitea-Signature", Hmac(body)),
            ("X-GitHub-Event", "push"), ("X-Gogs-Event", "push"));

        Assert.Equal(WebhookOutcome.Push, result.Outcome);
        var push = result.Push!;
        Assert.Equal(GitProvider.Gitea, push.Provider);
        Assert.Equal("c0ffee0123456789abcdef0123456789abcdef01", push.After);
        Assert.Equal(new[] { "http://gitea.local:3000/ops/cluster-apps", "http://gitea.local:3000/ops/cluster-apps.git", "git@gitea.local:ops/cluster-apps.git" }, push.RepositoryUrls);
        Assert.Equal(new[] { "monitoring/values.yaml" }, push.ChangedFiles);
        Assert.True(push.Affects("ssh://git@gitea.local/ops/cluster-apps.git", ""));
    }

    [Fact]
    public void Gitea_with_a_bad_signature_is_rejected()
    {
        var body = Payload("gitea-push.json");
        Assert.Equal(WebhookOutcome.Rejected, Parse(Parser, body, ("X-Gitea-Event", "push"), ("X-Gitea-Signature", Hmac(body, "nope"))).Outcome);
        Assert.Equal(WebhookOutcome.Rejected, Parse(Parser, body, ("X-Gitea-Event", "push")).Outcome);
    }

    [Fact]
    public void Malformed_and_unknown_requests()
    {
        var notJson = "not json"u8.ToArray();
        Assert.Equal(WebhookOutcome.Malformed, Parse(Parser, notJson, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + Hmac(notJson))).Outcome);
        var noRef = "{\"after\":\"abc\"}"u8.ToArray();
        Assert.Equal(WebhookOutcome.Malformed, Parse(Parser, noRef, ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=" + Hmac(noRef))).Outcome);
        Assert.Equal(WebhookOutcome.Ignored, Parse(Parser, "{}"u8.ToArray(), ("X-Event-Key", "repo:push")).Outcome);
    }

    [Fact]
    public void A_deleted_branch_is_flagged()
    {
        var body = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/old","before":"59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5","after":"0000000000000000000000000000000000000000","repository":{"html_url":"https://github.com/o/r"}}""");
        var result = Parse(new WebhookParser(new WebhookSecrets()), body, ("X-GitHub-Event", "push"));
        Assert.True(result.Push!.Deleted);
    }
}
