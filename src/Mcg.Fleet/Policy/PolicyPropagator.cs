using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Fleet.Policy;

/// <summary>
/// The hub's policy propagator (governance-policy-propagator): replicates every root Policy to the cluster namespaces
/// of the clusters its PlacementBindings select, keeps the replicas equal to the root, deletes replicas of clusters no
/// longer selected and of deleted or disabled roots, and aggregates the replicas' compliance into the root's
/// <c>status.placement</c>, <c>status.status</c> and <c>status.compliant</c>.
/// </summary>
public sealed class PolicyPropagator : IReconciler
{
    private const string Component = "policy-propagator";

    private readonly IKubeClient _hub;
    private readonly PolicyPropagatorOptions _options;
    private readonly ILogger _logger;
    private readonly HubPolicyCache _cache;
    private readonly PlacementResolver _resolver;
    private readonly EventRecorder _events;
    private readonly KubeController _controller;
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.Ordinal);

    public PolicyPropagator(IKubeClient hub, ILoggerFactory loggers, PolicyPropagatorOptions? options = null)
    {
        _hub = hub;
        _options = options ?? new PolicyPropagatorOptions();
        _logger = loggers.CreateLogger<PolicyPropagator>();
        _cache = new HubPolicyCache(hub, loggers, _options.ResyncPeriod);
        _resolver = new PlacementResolver(_cache, hub, loggers.CreateLogger<PlacementResolver>());
        _events = new EventRecorder(hub, TimeProvider.System, loggers.CreateLogger<EventRecorder>());
        _controller = new KubeController("policy-propagator", this, new ControllerOptions { Workers = _options.Workers },
            loggers.CreateLogger<KubeController>());
        _controller.Watch(_cache.Policies, RootKeysOfPolicy);
        _controller.Watch(_cache.Bindings, RootKeysOfBinding);
        _controller.Watch(_cache.Decisions, d => d.Labels().TryGetValue(PolicyLabels.Placement, out var placement)
            ? RootKeysOfPlacement(d.Namespace()!, "Placement", placement) : []);
        _controller.Watch(_cache.Placements, p => RootKeysOfPlacement(p.Namespace()!, "Placement", p.Name()!));
        _controller.Watch(_cache.PlacementRules, r => RootKeysOfPlacement(r.Namespace()!, "PlacementRule", r.Name()!));
    }

    /// <summary>Runs the informers and the reconcile loop until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var informers = _cache.All.Select(i => i.RunAsync(ct)).ToList();
        await Task.WhenAll(informers.Append(_controller.RunAsync(ct)));
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var (ns, name) = ObjectKeys.Split(key);
        if (ns is null)
        {
            return ReconcileResult.Done;
        }
        var cached = _cache.Policies.Get(ns, name);
        if (cached is null)
        {
            foreach (var failure in _failures.Keys.Where(k => k.StartsWith(key + "/", StringComparison.Ordinal)))
            {
                _failures.TryRemove(failure, out _);
            }
            var removed = await DeleteReplicasAsync(ns, name, new HashSet<string>(), ct);
            if (removed > 0)
            {
                _logger.LogInformation("Deleted {Count} replicas of the deleted policy {Namespace}/{Name}", removed, ns, name);
            }
            return ReconcileResult.Done;
        }
        if (HubPolicyCache.IsReplica(cached))
        {
            return ReconcileResult.Done;
        }
        var root = (JsonObject)cached.DeepClone();
        var resolution = await _resolver.ResolveAsync(root, ct);
        var disabled = root["spec"]?["disabled"] is JsonValue v && v.TryGetValue<bool>(out var d) && d;
        var failed = new HashSet<ClusterDecision>();
        if (disabled)
        {
            if (await DeleteReplicasAsync(ns, name, new HashSet<string>(), ct) > 0)
            {
                await _events.RecordAsync(root, Component, EventRecorder.Normal, "PolicyPropagation", $"Policy {ns}/{name} was disabled", ct: ct);
            }
        }
        else
        {
            foreach (var decision in resolution.Decisions)
            {
                var failureKey = $"{key}/{decision.ClusterNamespace}";
                try
                {
                    await EnsureReplicaAsync(root, decision, ct);
                    _failures.TryRemove(failureKey, out _);
                }
                catch (KubeApiException ex)
                {
                    failed.Add(decision);
                    _logger.LogWarning("Could not replicate policy {Namespace}/{Name} to cluster {Cluster}: {Message}", ns, name, decision.ClusterName, ex.Message);
                    if (!_failures.TryGetValue(failureKey, out var previous) || previous != ex.Message)
                    {
                        // One event per distinct failure: the retries would otherwise record the same warning every few seconds.
                        _failures[failureKey] = ex.Message;
                        await _events.RecordAsync(root, Component, EventRecorder.Warning, "PolicyPropagation",
                            $"Failed to replicate the policy {ns}/{name} to cluster {decision.ClusterNamespace}/{decision.ClusterName}: {ex.Message}", ct: ct);
                    }
                }
            }
            await DeleteReplicasAsync(ns, name, resolution.Decisions.Select(c => c.ClusterNamespace).ToHashSet(StringComparer.Ordinal), ct);
        }
        await UpdateStatusAsync(root, disabled ? [] : resolution.Decisions, resolution.Placements, failed, ct);
        return failed.Count > 0 ? ReconcileResult.After(_options.RetryAfter) : ReconcileResult.Done;
    }

    private async Task EnsureReplicaAsync(JsonObject root, ClusterDecision decision, CancellationToken ct)
    {
        var desired = ReplicaBuilder.Build(root, decision);
        var existing = _cache.Policies.Get(decision.ClusterNamespace, desired.Name()!);
        if (existing is null)
        {
            try
            {
                await _hub.CreateAsync(OcmCrds.Policies, desired, null, ct);
                _logger.LogInformation("Replicated policy {Namespace}/{Name} to cluster {Cluster}", root.Namespace(), root.Name(), decision.ClusterName);
                await _events.RecordAsync(root, Component, EventRecorder.Normal, "PolicyPropagation",
                    $"Policy {root.Namespace()}/{root.Name()} was propagated to cluster {decision.ClusterNamespace}/{decision.ClusterName}", ct: ct);
                return;
            }
            catch (KubeApiException ex) when (ex.IsAlreadyExists)
            {
                existing = await _hub.GetAsync(OcmCrds.Policies, decision.ClusterNamespace, desired.Name()!, ct);
                if (existing is null)
                {
                    throw;
                }
            }
        }
        for (var attempt = 1; !ReplicaBuilder.Equivalent(desired, existing); attempt++)
        {
            try
            {
                await _hub.UpdateAsync(OcmCrds.Policies, ReplicaBuilder.Updated(desired, existing), null, ct);
                _logger.LogInformation("Updated the replica of policy {Namespace}/{Name} for cluster {Cluster}", root.Namespace(), root.Name(), decision.ClusterName);
                await _events.RecordAsync(root, Component, EventRecorder.Normal, "PolicyPropagation",
                    $"Policy {root.Namespace()}/{root.Name()} was updated for cluster {decision.ClusterNamespace}/{decision.ClusterName}", ct: ct);
                return;
            }
            catch (KubeApiException ex) when (ex.IsConflict && attempt < 3)
            {
                existing = await _hub.GetAsync(OcmCrds.Policies, decision.ClusterNamespace, desired.Name()!, ct)
                    ?? throw new KubeApiException(404, null, "the replicated policy disappeared during its update");
            }
        }
    }

    /// <summary>Deletes the root's replicas outside <paramref name="keepNamespaces"/>; returns how many were deleted.</summary>
    private async Task<int> DeleteReplicasAsync(string ns, string name, IReadOnlySet<string> keepNamespaces, CancellationToken ct)
    {
        var deleted = 0;
        foreach (var replica in _cache.Replicas(ns, name).Where(r => !keepNamespaces.Contains(r.Namespace()!)).ToList())
        {
            if (await _hub.DeleteAsync(OcmCrds.Policies, replica.Namespace(), replica.Name()!, null, ct))
            {
                deleted++;
                _logger.LogInformation("Deleted replica {Namespace}/{Name} of policy {RootNamespace}/{RootName}", replica.Namespace(), replica.Name(), ns, name);
            }
        }
        return deleted;
    }

    private async Task UpdateStatusAsync(JsonObject root, IReadOnlyList<ClusterDecision> decisions, IReadOnlyList<JsonObject> placements,
        IReadOnlySet<ClusterDecision> failed, CancellationToken ct)
    {
        var replicaName = PolicyLabels.ReplicaName(root.Namespace()!, root.Name()!);
        var perCluster = new JsonArray();
        var states = new List<string?>();
        foreach (var decision in decisions.OrderBy(c => c.ClusterName, StringComparer.Ordinal))
        {
            var state = failed.Contains(decision)
                ? ComplianceStates.NonCompliant
                : (_cache.Policies.Get(decision.ClusterNamespace, replicaName)?["status"] as JsonObject)?.GetString("compliant");
            var entry = new JsonObject { ["clustername"] = decision.ClusterName, ["clusternamespace"] = decision.ClusterNamespace };
            if (!string.IsNullOrEmpty(state))
            {
                entry["compliant"] = state;
            }
            perCluster.Add(entry);
            states.Add(string.IsNullOrEmpty(state) ? null : state);
        }
        var desired = new JsonObject
        {
            ["compliant"] = ComplianceStates.Aggregate(states),
            ["placement"] = placements.Count == 0 ? null : new JsonArray(placements.Select(p => (JsonNode)p.DeepClone()).ToArray()),
            ["status"] = perCluster.Count == 0 ? null : perCluster,
        };
        var current = root["status"] as JsonObject;
        if (desired.All(kv => JsonNode.DeepEquals(kv.Value, current?[kv.Key])))
        {
            return;
        }
        await _hub.PatchAsync(OcmCrds.Policies, root.Namespace(), root.Name()!, PatchType.Merge, new JsonObject { ["status"] = desired },
            new PatchOptions { Subresource = "status" }, ct);
    }

    private IEnumerable<string> RootKeysOfPolicy(JsonObject policy)
    {
        if (policy.Labels().TryGetValue(PolicyLabels.RootPolicy, out var root))
        {
            return PolicyLabels.TryParseReplicaName(root, out var rootNs, out var rootName) ? [ObjectKeys.KeyOf(rootNs, rootName)] : [];
        }
        return [ObjectKeys.KeyOf(policy)];
    }

    private IEnumerable<string> RootKeysOfBinding(JsonObject binding)
    {
        var ns = binding.Namespace()!;
        var keys = new List<string>();
        foreach (var subject in (binding["subjects"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            switch (subject.GetString("kind"))
            {
                case "Policy" when subject.GetString("name") is { } policy:
                    keys.Add(ObjectKeys.KeyOf(ns, policy));
                    break;
                case "PolicySet":
                    // The set's members are not cached: reconcile every root policy of the namespace.
                    keys.AddRange(_cache.RootPolicies(ns).Select(ObjectKeys.KeyOf));
                    break;
            }
        }
        return keys;
    }

    private IEnumerable<string> RootKeysOfPlacement(string ns, string kind, string name) =>
        _cache.BindingsReferencing(ns, kind, name).SelectMany(RootKeysOfBinding).Distinct(StringComparer.Ordinal).ToList();
}
