using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>The hub objects the propagator reads, cached by informers, with the lookups it needs.</summary>
internal sealed class HubPolicyCache
{
    public HubPolicyCache(IKubeClient hub, ILoggerFactory loggers, TimeSpan policyResync)
    {
        Informer Make(ResourceRef resource, TimeSpan resync) =>
            new(hub, resource, new InformerOptions { ResyncPeriod = resync }, loggers.CreateLogger<Informer>());
        Policies = Make(OcmCrds.Policies, policyResync);
        Bindings = Make(OcmCrds.PlacementBindings, TimeSpan.Zero);
        Decisions = Make(OcmCrds.PlacementDecisions, TimeSpan.Zero);
        Placements = Make(OcmCrds.Placements, TimeSpan.Zero);
        PlacementRules = Make(OcmCrds.PlacementRules, TimeSpan.Zero);
    }

    public Informer Policies { get; }
    public Informer Bindings { get; }
    public Informer Decisions { get; }
    public Informer Placements { get; }
    public Informer PlacementRules { get; }

    public IReadOnlyList<Informer> All => [Policies, Bindings, Decisions, Placements, PlacementRules];

    public static bool IsReplica(JsonObject policy) => policy.Labels().ContainsKey(PolicyLabels.RootPolicy);

    /// <summary>The root policies of a namespace.</summary>
    public IEnumerable<JsonObject> RootPolicies(string ns) =>
        Policies.List().Where(p => p.Namespace() == ns && !IsReplica(p));

    /// <summary>The replicas of a root policy, wherever they are.</summary>
    public IEnumerable<JsonObject> Replicas(string rootNamespace, string rootName)
    {
        var label = PolicyLabels.ReplicaName(rootNamespace, rootName);
        return Policies.List().Where(p => p.Labels().TryGetValue(PolicyLabels.RootPolicy, out var v) && v == label);
    }

    public IEnumerable<JsonObject> BindingsIn(string ns) => Bindings.List().Where(b => b.Namespace() == ns);

    /// <summary>Bindings in a namespace whose placementRef names this kind and name.</summary>
    public IEnumerable<JsonObject> BindingsReferencing(string ns, string kind, string name) =>
        BindingsIn(ns).Where(b => b["placementRef"] is JsonObject r && r.GetString("kind") == kind && r.GetString("name") == name);

    public IEnumerable<JsonObject> DecisionsOf(string ns, string placement) =>
        Decisions.List().Where(d => d.Namespace() == ns && d.Labels().TryGetValue(PolicyLabels.Placement, out var p) && p == placement);
}
