using System.Text.Json.Nodes;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// Argo CD's application metrics from watched Applications: <c>argocd_app_info</c> (one series per app with its
/// sync and health status, Argo CD's labels) and <c>argocd_app_sync_total</c> (sync operations seen finishing, by phase).
/// </summary>
public sealed class ApplicationMetrics : IStateCollector
{
    private static readonly string[] InfoLabels =
        ["namespace", "name", "project", "autosync_enabled", "repo", "dest_server", "dest_namespace", "sync_status", "health_status", "operation"];

    private readonly Informer _apps;
    private readonly GaugeSeries _info;
    private readonly Counter _syncs;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _finishedAt = new(StringComparer.Ordinal);

    public ApplicationMetrics(IKubeClient client, IMetricFactory metrics, string? appNamespace = null)
    {
        _apps = new Informer(client, ApplicationController.Applications, new InformerOptions { Namespace = appNamespace, Transform = KeepMetricFields });
        _info = new GaugeSeries(metrics.CreateGauge("argocd_app_info", "Information about application.", InfoLabels));
        _syncs = metrics.CreateCounter("argocd_app_sync_total", "Number of application syncs.", ["namespace", "name", "project", "dest_server", "phase"]);
        _apps.AddEventHandler(new InformerEventHandler
        {
            Added = app => CountSync(app, initial: !_apps.HasSynced),
            Updated = (_, app) => CountSync(app, initial: false),
            Deleted = app =>
            {
                lock (_lock)
                {
                    _finishedAt.Remove(ObjectKeys.KeyOf(app));
                }
            },
        });
    }

    public IReadOnlyList<Informer> Informers => [_apps];

    public void Collect(DateTimeOffset now) => _info.Replace(_apps.List().Select(app => (Info(app), 1.0)));

    private static string[] Info(JsonObject app)
    {
        var spec = app["spec"] as JsonObject;
        var status = app["status"] as JsonObject;
        var destination = spec?["destination"] as JsonObject;
        return
        [
            app.Namespace() ?? "",
            app.Name() ?? "",
            spec?.GetString("project") ?? "",
            (spec?["syncPolicy"]?["automated"] is not null).ToString().ToLowerInvariant(),
            Repo(spec),
            destination?.GetString("server") ?? destination?.GetString("name") ?? "",
            destination?.GetString("namespace") ?? "",
            (status?["sync"] as JsonObject)?.GetString("status") ?? "",
            (status?["health"] as JsonObject)?.GetString("status") ?? "",
            app["operation"]?["sync"] is not null ? "sync" : "",
        ];
    }

    /// <summary>Only what the metrics read: an application's status (resources, history, sync result) is most of it.</summary>
    private static JsonObject KeepMetricFields(JsonObject app)
    {
        InformerTransforms.StripManagedFields(app);
        if (app["status"] is JsonObject status)
        {
            var state = status["operationState"] as JsonObject;
            app["status"] = new JsonObject
            {
                ["sync"] = new JsonObject { ["status"] = status["sync"]?["status"]?.DeepClone() },
                ["health"] = new JsonObject { ["status"] = status["health"]?["status"]?.DeepClone() },
                ["operationState"] = state is null ? null : new JsonObject { ["phase"] = state["phase"]?.DeepClone(), ["finishedAt"] = state["finishedAt"]?.DeepClone() },
            };
        }
        return app;
    }

    private static string Repo(JsonObject? spec) =>
        (spec?["source"] as JsonObject)?.GetString("repoURL")
        ?? ((spec?["sources"] as JsonArray)?.FirstOrDefault() as JsonObject)?.GetString("repoURL")
        ?? "";

    // A sync is counted when an operation's finishedAt changes; what was already finished when the watch began is not.
    private void CountSync(JsonObject app, bool initial)
    {
        var state = app["status"]?["operationState"] as JsonObject;
        var finishedAt = state?.GetString("finishedAt");
        if (string.IsNullOrEmpty(finishedAt))
        {
            return;
        }
        var key = ObjectKeys.KeyOf(app);
        lock (_lock)
        {
            if (_finishedAt.TryGetValue(key, out var seen) && seen == finishedAt)
            {
                return;
            }
            _finishedAt[key] = finishedAt;
        }
        if (!initial)
        {
            var spec = app["spec"] as JsonObject;
            var destination = spec?["destination"] as JsonObject;
            _syncs.WithLabels(app.Namespace() ?? "", app.Name() ?? "", spec?.GetString("project") ?? "",
                destination?.GetString("server") ?? destination?.GetString("name") ?? "", state!.GetString("phase") ?? "").Inc();
        }
    }
}
