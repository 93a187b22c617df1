using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Storage.Olm;

/// <summary>
/// Operator Lifecycle Manager as a virtual cluster shows it: the <c>operators.coreos.com</c> kinds are served, and a
/// Subscription gets its ClusterServiceVersion installed (phase Succeeded) and the status OLM reports
/// (<c>state: AtLatestKnown</c>, <c>installedCSV</c>, healthy catalog sources), so that Argo CD's Subscription health
/// check and whatever waits on the CSV see an installed operator. Every package resolves (a catalog holding all of
/// them); the operators' own CRDs come with their simulators (e.g. Portworx).
/// </summary>
public sealed class OlmSimulator : IReconciler
{
    private const string FieldManager = "olm";

    private readonly IKubeClient _client;
    private readonly TimeProvider _clock;
    private readonly Informer _subscriptions;

    public OlmSimulator(IKubeClient client, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        _client = client;
        _clock = clock ?? TimeProvider.System;
        _subscriptions = new Informer(client, OlmKinds.Subscriptions, new InformerOptions(), loggers.CreateLogger<Informer>());
        Controller = new KubeController("olm-subscriptions", this, new ControllerOptions(), loggers.CreateLogger<KubeController>());
        Controller.Watch(_subscriptions);
    }

    public KubeController Controller { get; }

    public Task InstallCrdsAsync(CancellationToken ct) => CustomResourceDefinitions.InstallMissingAsync(_client, OlmKinds.Crds(), ct);

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(_subscriptions.RunAsync(ct), Controller.RunAsync(ct));

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var subscription = _subscriptions.GetByKey(key);
        if (subscription is null)
        {
            return ReconcileResult.Done;
        }
        var ns = subscription.Namespace()!;
        var package = subscription["spec"]?["name"]?.GetValue<string>();
        var csvName = subscription["spec"]?["startingCSV"]?.GetValue<string>() ?? $"{package ?? subscription.Name()}.v1.0.0";
        var now = _clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (package is null)
        {
            await WriteStatusAsync(subscription, new JsonObject
            {
                ["state"] = "",
                ["lastUpdated"] = now,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ResolutionFailed",
                    ["status"] = "True",
                    ["reason"] = "ConstraintsNotSatisfiable",
                    ["message"] = "spec.name: the package to install is not set",
                    ["lastTransitionTime"] = now,
                }),
            }, ct);
            return ReconcileResult.Done;
        }
        await _client.ApplyAsync(OlmKinds.ClusterServiceVersions, new JsonObject
        {
            ["apiVersion"] = "operators.coreos.com/v1alpha1",
            ["kind"] = "ClusterServiceVersion",
            ["metadata"] = new JsonObject { ["name"] = csvName, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["displayName"] = package,
                ["version"] = csvName.Contains(".v", StringComparison.Ordinal) ? csvName[(csvName.IndexOf(".v", StringComparison.Ordinal) + 2)..] : "1.0.0",
                ["install"] = new JsonObject { ["strategy"] = "deployment" },
            },
        }, new ApplyOptions(FieldManager) { Force = true }, ct);
        var csv = await _client.GetAsync(OlmKinds.ClusterServiceVersions, ns, csvName, ct);
        if (csv is not null && csv["status"]?["phase"]?.GetValue<string>() != "Succeeded")
        {
            csv["status"] = new JsonObject
            {
                ["phase"] = "Succeeded",
                ["reason"] = "InstallSucceeded",
                ["message"] = "install strategy completed with no errors",
                ["lastUpdateTime"] = now,
                ["lastTransitionTime"] = now,
            };
            await _client.UpdateStatusAsync(OlmKinds.ClusterServiceVersions, csv, null, ct);
        }
        var status = subscription["status"] as JsonObject;
        if (status?["installedCSV"]?.GetValue<string>() == csvName && status["state"]?.GetValue<string>() == "AtLatestKnown")
        {
            return ReconcileResult.Done;
        }
        await WriteStatusAsync(subscription, new JsonObject
        {
            ["state"] = "AtLatestKnown",
            ["currentCSV"] = csvName,
            ["installedCSV"] = csvName,
            ["lastUpdated"] = now,
            ["catalogHealth"] = new JsonArray(new JsonObject
            {
                ["catalogSourceRef"] = new JsonObject { ["name"] = subscription["spec"]?["source"]?.GetValue<string>() ?? "", ["namespace"] = subscription["spec"]?["sourceNamespace"]?.GetValue<string>() ?? "" },
                ["healthy"] = true,
                ["lastUpdated"] = now,
            }),
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "CatalogSourcesUnhealthy",
                ["status"] = "False",
                ["reason"] = "AllCatalogSourcesHealthy",
                ["message"] = "all available catalogsources are healthy",
                ["lastTransitionTime"] = now,
            }),
        }, ct);
        return ReconcileResult.Done;
    }

    private async Task WriteStatusAsync(JsonObject subscription, JsonObject status, CancellationToken ct)
    {
        var updated = (JsonObject)subscription.DeepClone();
        updated["status"] = status;
        await _client.UpdateStatusAsync(OlmKinds.Subscriptions, updated, null, ct);
    }
}
