using System.Text.Json.Nodes;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Controller;

/// <summary>
/// The Events Argo CD's application controller writes on an Application, with its reasons and wording:
/// <c>OperationStarted</c> ("Initiated automated sync to 'rev'"), <c>OperationCompleted</c> ("Sync operation to rev
/// succeeded" / "… failed: message", a Warning) and <c>ResourceUpdated</c> ("Updated sync status: Synced -> OutOfSync",
/// "Updated health status: Healthy -> Degraded").
/// </summary>
public sealed class ApplicationEvents(EventRecorder recorder)
{
    public const string Component = "argocd-application-controller";
    public const string OperationStarted = "OperationStarted";
    public const string OperationCompleted = "OperationCompleted";
    public const string ResourceUpdated = "ResourceUpdated";

    /// <summary>Reports the sync and health transitions between the app's current status and the one about to be written.</summary>
    public async Task StatusChangedAsync(JsonObject app, JsonObject status, CancellationToken ct)
    {
        var current = app["status"];
        foreach (var (field, label) in new[] { ("sync", "sync"), ("health", "health") })
        {
            var before = current?[field]?["status"]?.GetValue<string>() ?? "";
            var after = status[field]?["status"]?.GetValue<string>();
            if (after is not null && after != before)
            {
                var type = after is "Degraded" or "Missing" ? EventRecorder.Warning : EventRecorder.Normal;
                await recorder.RecordAsync(app, Component, type, ResourceUpdated, $"Updated {label} status: {before} -> {after}", ct);
            }
        }
    }

    public async Task OperationStartedAsync(JsonObject app, SyncOperation operation, CancellationToken ct)
    {
        var target = operation.Revision is { Length: > 0 } rev ? $" to '{rev}'" : "";
        var who = operation.IsAutomated ? "automated sync" : $"sync by {operation.InitiatedBy.GetString("username") ?? "unknown"}";
        await recorder.RecordAsync(app, Component, EventRecorder.Normal, OperationStarted, $"Initiated {who}{target}", ct);
    }

    /// <summary>Reports a finished operation from the <c>status.operationState</c> it wrote.</summary>
    public async Task OperationCompletedAsync(JsonObject app, JsonObject operationState, CancellationToken ct)
    {
        var partial = operationState["operation"]?["sync"]?["resources"] is JsonArray { Count: > 0 };
        var words = new List<string> { partial ? "Partial sync operation" : "Sync operation" };
        if (operationState["syncResult"]?["revision"]?.GetValue<string>() is { Length: > 0 } revision)
        {
            words.Add($"to {revision}");
        }
        var succeeded = operationState["phase"]?.GetValue<string>() == "Succeeded";
        words.Add(succeeded ? "succeeded" : $"failed: {operationState["message"]?.GetValue<string>()}");
        await recorder.RecordAsync(app, Component, succeeded ? EventRecorder.Normal : EventRecorder.Warning, OperationCompleted, string.Join(' ', words), ct);
    }
}
