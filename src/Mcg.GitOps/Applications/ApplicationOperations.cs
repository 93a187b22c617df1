using System.Text.Json.Nodes;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Applications;

/// <summary>A rollback Argo CD refuses (auto-sync enabled, or no such history entry); the message says why.</summary>
public sealed class RollbackRefusedException(string message) : Exception(message);

/// <summary>
/// What a user asks of an Application, with Argo CD's semantics: a sync or rollback is an <c>operation</c> set on the
/// Application for the controller to run; a refresh is the <c>argocd.argoproj.io/refresh</c> annotation. Shared by
/// <c>mcg app</c> and the web console so both ask the same way.
/// </summary>
public static class ApplicationOperations
{
    public const string RefreshAnnotation = "argocd.argoproj.io/refresh";

    /// <summary>The <c>operation.sync</c> of a plain sync (optionally to another revision).</summary>
    public static JsonObject Sync(bool prune = false, bool dryRun = false, string? revision = null)
    {
        var sync = new JsonObject { ["prune"] = prune, ["dryRun"] = dryRun };
        if (revision is not null)
        {
            sync["revision"] = revision;
        }
        return sync;
    }

    /// <summary>
    /// The <c>operation.sync</c> that rolls <paramref name="app"/> back to history entry <paramref name="id"/>
    /// (null: the previous deployment), as <c>argocd app rollback</c>.
    /// </summary>
    /// <exception cref="RollbackRefusedException">Auto-sync is enabled, or the history has no such entry.</exception>
    public static JsonObject Rollback(JsonObject app, long? id)
    {
        if (app["spec"]?["syncPolicy"]?["automated"] is JsonObject automated && automated["enabled"]?.GetValue<bool>() != false)
        {
            throw new RollbackRefusedException($"rollback cannot be initiated when auto-sync is enabled (application {app.Name()})");
        }
        var history = (app["status"]?["history"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var wanted = id ?? (history.Count >= 2 ? history[^2]["id"]?.GetValue<long>() : null);
        var entry = history.FirstOrDefault(h => h["id"]?.GetValue<long>() == wanted)
            ?? throw new RollbackRefusedException($"application {app.Name()} does not have deployment with id {wanted?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}");
        return new JsonObject { ["revision"] = entry.GetString("revision"), ["source"] = entry["source"]?.DeepClone(), ["prune"] = false };
    }

    /// <summary>Asks the controller to run <paramref name="sync"/> (sets <c>operation</c>); returns the patched Application.</summary>
    public static Task<JsonObject> StartAsync(IKubeClient client, string ns, string name, JsonObject sync, string initiatedBy, CancellationToken ct)
    {
        var operation = new JsonObject { ["sync"] = sync, ["initiatedBy"] = new JsonObject { ["username"] = initiatedBy } };
        return client.PatchAsync(ApplicationController.Applications, ns, name, PatchType.Merge, new JsonObject { ["operation"] = operation }, null, ct);
    }

    /// <summary>Asks the controller to compare again now (<c>normal</c>), or also to re-read the source (<c>hard</c>).</summary>
    public static Task<JsonObject> RefreshAsync(IKubeClient client, string ns, string name, bool hard, CancellationToken ct) =>
        client.PatchAsync(ApplicationController.Applications, ns, name, PatchType.Merge,
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RefreshAnnotation] = hard ? "hard" : "normal" } } }, null, ct);
}
