using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Registration;

/// <summary>
/// The hub's lease and taint controllers: a cluster whose agent stopped renewing its lease for
/// <c>leaseDurationSeconds × 5</c> turns Unknown and gets the <c>unreachable</c> taint; an unavailable one gets
/// <c>unavailable</c>; both go when the cluster is Available again. Placements then move away from it.
/// </summary>
public sealed class LeaseController(IKubeClient hub, Informer clusters, Informer leases, EventRecorder events, ILogger<LeaseController> logger, TimeProvider? clock = null)
{
    public const string LeaseName = "managed-cluster-lease";
    public const string UnreachableTaint = "cluster.open-cluster-management.io/unreachable";
    public const string UnavailableTaint = "cluster.open-cluster-management.io/unavailable";
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, _clock);
        do
        {
            foreach (var cluster in clusters.List())
            {
                try
                {
                    await CheckAsync(cluster, ct);
                }
                catch (KubeApiException e)
                {
                    logger.LogWarning("lease check of {Cluster} failed: {Message}", cluster.Name(), e.Message);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task CheckAsync(JsonObject cluster, CancellationToken ct)
    {
        if (cluster["spec"]?["hubAcceptsClient"]?.GetValue<bool>() != true)
        {
            return;
        }
        var name = cluster.Name()!;
        var now = _clock.GetUtcNow();
        var duration = TimeSpan.FromSeconds(cluster["spec"]?["leaseDurationSeconds"]?.GetValue<long>() is > 0 and var d ? d : 60);
        var renewed = leases.Get(name, LeaseName)?["spec"]?["renewTime"]?.GetValue<string>();
        var status = cluster["status"]?.DeepClone() as JsonObject ?? new JsonObject();
        var changed = false;
        var joined = Conditions.Get(status, "ManagedClusterJoined") == "True";
        if (joined && (renewed is null || !DateTimeOffset.TryParse(renewed, out var at) || now - at > duration * 5))
        {
            changed = Conditions.Set(status, "ManagedClusterConditionAvailable", "Unknown", "ManagedClusterLeaseUpdateStopped",
                "Registration agent stopped updating its lease.", now);
        }
        var available = Conditions.Get(status, "ManagedClusterConditionAvailable");
        var taints = (cluster["spec"]?["taints"] as JsonArray)?.OfType<JsonObject>().Select(t => (JsonObject)t.DeepClone()).ToList() ?? [];
        var wanted = available switch
        {
            "Unknown" => UnreachableTaint,
            "False" => UnavailableTaint,
            _ => null,
        };
        var kept = taints.Where(t => t.GetString("key") is not (UnreachableTaint or UnavailableTaint) || t.GetString("key") == wanted).ToList();
        if (wanted is not null && kept.All(t => t.GetString("key") != wanted))
        {
            kept.Add(new JsonObject { ["key"] = wanted, ["effect"] = "NoSelect", ["timeAdded"] = Conditions.Timestamp(now) });
        }
        if (changed)
        {
            logger.LogWarning("managed cluster {Cluster} lease expired: Unknown", name);
            await hub.PatchAsync(OcmCrds.ManagedClusters, null, name, PatchType.Merge, new JsonObject { ["status"] = new JsonObject { ["conditions"] = status["conditions"]!.DeepClone() } },
                new PatchOptions { Subresource = "status" }, ct);
            await events.WarningAsync(cluster, RegistrationController.EventComponent, "ManagedClusterLeaseUpdateStopped",
                $"Managed cluster {name} is unavailable: its registration agent stopped updating its lease.", ct);
        }
        if (kept.Count != taints.Count || kept.Count > 0 && !taints.Select(t => t.GetString("key")).SequenceEqual(kept.Select(t => t.GetString("key"))))
        {
            await hub.PatchAsync(OcmCrds.ManagedClusters, null, name, PatchType.Merge,
                new JsonObject { ["spec"] = new JsonObject { ["taints"] = new JsonArray(kept.Select(t => (JsonNode)t).ToArray()) } }, null, ct);
        }
    }
}
