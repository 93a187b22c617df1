using Mcg.GitOps.Controller;
using Mcg.GitOps.Sources;
using Microsoft.Extensions.Logging;

namespace Mcg.GitOps.Webhooks;

/// <summary>
/// Turns a Git provider's push webhook into an immediate refresh of exactly the applications that follow the pushed
/// repository and branch (or tag), instead of waiting for the poll.
/// </summary>
public sealed class WebhookRefresher(WebhookParser parser, ApplicationController controller, GitManifestSource source, ILogger<WebhookRefresher> logger)
{
    public (int Status, string Message) Handle(IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        var result = parser.Parse(headers, body);
        switch (result.Outcome)
        {
            case WebhookOutcome.Rejected:
                logger.LogWarning("webhook rejected: {Reason}", result.Reason);
                return (401, $"Webhook processing failed: {result.Reason}");
            case WebhookOutcome.Malformed:
                return (400, $"Webhook processing failed: {result.Reason}");
            case WebhookOutcome.Ignored:
                return (200, $"ignored: {result.Reason}");
        }
        var push = result.Push!;
        foreach (var url in push.RepositoryUrls)
        {
            source.Invalidate(url);
        }
        var refreshed = controller.RefreshWhere(s => push.Affects(s.RepoUrl, s.TargetRevision));
        logger.LogInformation("push to {Ref} of {Repo}: refreshing {Count} application(s)", push.Ref, push.RepositoryUrls.FirstOrDefault(), refreshed);
        return (200, $"refreshed {refreshed} application(s)");
    }
}
