using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Finds the clusters a root policy is bound to, as the upstream propagator does: every PlacementBinding in the policy's
/// namespace with a subject naming the policy (kind Policy) or a PolicySet listing it contributes the decisions of its
/// placementRef — a Placement (cluster.open-cluster-management.io: the PlacementDecisions labelled with the placement's
/// name) or a PlacementRule (apps.open-cluster-management.io: its status.decisions).
/// </summary>
internal sealed class PlacementResolver(HubPolicyCache cache, IKubeClient hub, ILogger<PlacementResolver> logger)
{
    public async Task<PlacementResolution> ResolveAsync(JsonObject root, CancellationToken ct)
    {
        var ns = root.Namespace()!;
        var name = root.Name()!;
        var decisions = new List<ClusterDecision>();
        var seen = new HashSet<ClusterDecision>();
        var placements = new List<JsonObject>();
        var policySets = new Dictionary<string, bool>(StringComparer.Ordinal);

        foreach (var binding in cache.BindingsIn(ns).OrderBy(b => b.Name(), StringComparer.Ordinal))
        {
            if (binding["placementRef"] is not JsonObject placementRef || binding["subjects"] is not JsonArray subjects)
            {
                continue;
            }
            var entries = new List<JsonObject>();
            var policyEntryAdded = false;
            foreach (var subject in subjects.OfType<JsonObject>())
            {
                var kind = subject.GetString("kind");
                var subjectName = subject.GetString("name");
                if (subjectName is null || (subject.GetString("apiGroup") is { Length: > 0 } group && group != OcmCrds.PolicyGroup))
                {
                    continue;
                }
                if (kind == "Policy" && subjectName == name && !policyEntryAdded)
                {
                    entries.Add(new JsonObject { ["placementBinding"] = binding.Name() });
                    policyEntryAdded = true;
                }
                else if (kind == "PolicySet" && await PolicySetContainsAsync(ns, subjectName, name, policySets, ct))
                {
                    entries.Add(new JsonObject { ["placementBinding"] = binding.Name(), ["policySet"] = subjectName });
                }
            }
            if (entries.Count == 0)
            {
                continue;
            }
            var refKind = placementRef.GetString("kind");
            var refGroup = placementRef.GetString("apiGroup");
            var refName = placementRef.GetString("name") ?? "";
            IEnumerable<ClusterDecision> selected;
            string entryField;
            bool exists;
            if (refKind == "Placement" && refGroup == OcmCrds.ClusterGroup)
            {
                entryField = "placement";
                exists = cache.Placements.Get(ns, refName) is not null;
                selected = cache.DecisionsOf(ns, refName)
                    .OrderBy(d => d.Name(), StringComparer.Ordinal)
                    .SelectMany(d => (d["status"]?["decisions"] as JsonArray)?.OfType<JsonObject>() ?? [])
                    .Select(d => d.GetString("clusterName"))
                    .Where(c => !string.IsNullOrEmpty(c))
                    .Select(c => new ClusterDecision(c!, c!));
            }
            else if (refKind == "PlacementRule" && refGroup == OcmCrds.AppsGroup)
            {
                entryField = "placementRule";
                var rule = cache.PlacementRules.Get(ns, refName);
                exists = rule is not null;
                selected = ((rule?["status"]?["decisions"] as JsonArray)?.OfType<JsonObject>() ?? [])
                    .Where(d => !string.IsNullOrEmpty(d.GetString("clusterName")))
                    .Select(d => new ClusterDecision(d.GetString("clusterName")!,
                        d.GetString("clusterNamespace") is { Length: > 0 } cns ? cns : d.GetString("clusterName")!));
            }
            else
            {
                logger.LogWarning("PlacementBinding {Namespace}/{Name} references {Kind}.{Group}, which is neither a Placement nor a PlacementRule",
                    ns, binding.Name(), refKind, refGroup);
                continue;
            }
            foreach (var entry in entries)
            {
                if (exists)
                {
                    entry[entryField] = refName;
                }
                placements.Add(entry);
            }
            foreach (var decision in selected)
            {
                if (seen.Add(decision))
                {
                    decisions.Add(decision);
                }
            }
        }
        placements.Sort((a, b) => string.CompareOrdinal(a.GetString("placementBinding"), b.GetString("placementBinding")));
        return new PlacementResolution(decisions, placements);
    }

    private async Task<bool> PolicySetContainsAsync(string ns, string setName, string policy, Dictionary<string, bool> memo, CancellationToken ct)
    {
        if (memo.TryGetValue(setName, out var known))
        {
            return known;
        }
        JsonObject? set = null;
        try
        {
            set = await hub.GetAsync(PolicyResources.PolicySets, ns, setName, ct);
        }
        catch (KubeApiException ex)
        {
            logger.LogDebug(ex, "PolicySet {Namespace}/{Name} could not be read", ns, setName);
        }
        var contains = (set?["spec"]?["policies"] as JsonArray)?.Any(p => p?.GetValueKind() == System.Text.Json.JsonValueKind.String && p.GetValue<string>() == policy) ?? false;
        memo[setName] = contains;
        return contains;
    }
}
