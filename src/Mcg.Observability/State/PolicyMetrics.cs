using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Policy;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// The OCM policy propagator's <c>policy_governance_info</c>: 0 Compliant, 1 NonCompliant, -1 Pending or unknown; one
/// series per root policy (<c>type="root"</c>) and one per replica in a cluster namespace (<c>type="propagated"</c>).
/// </summary>
public sealed class PolicyMetrics : IStateCollector
{
    private readonly Informer _policies;
    private readonly GaugeSeries _governance;

    public PolicyMetrics(IKubeClient client, IMetricFactory metrics)
    {
        _policies = new Informer(client, OcmCrds.Policies);
        _governance = new GaugeSeries(metrics.CreateGauge("policy_governance_info",
            "The compliance status of the named policy. 0 == Compliant. 1 == NonCompliant. -1 == Pending or unknown.",
            ["type", "policy", "policy_namespace", "cluster_namespace"]));
    }

    public IReadOnlyList<Informer> Informers => [_policies];

    public void Collect(DateTimeOffset now) => _governance.Replace(_policies.List().Select(Series));

    private static (string[], double) Series(JsonObject policy)
    {
        var value = (policy["status"] as JsonObject)?.GetString("compliant") switch
        {
            ComplianceStates.Compliant => 0.0,
            ComplianceStates.NonCompliant => 1.0,
            _ => -1.0,
        };
        return PolicyLabels.TryParseReplicaName(policy.Labels().GetValueOrDefault(PolicyLabels.RootPolicy), out var rootNamespace, out var rootName)
            ? (["propagated", rootName, rootNamespace, policy.Namespace() ?? ""], value)
            : (["root", policy.Name() ?? "", policy.Namespace() ?? "", ""], value);
    }
}
