using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Selectors;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Scheduling;

/// <summary>
/// The scheduler's filter plugins that decide whether a pod may go to a node (NodeUnschedulable, TaintToleration,
/// NodeAffinity incl. nodeSelector, NodeResourcesFit, inter-pod anti-affinity). Each failure is the reason text upstream
/// prints in its <c>0/N nodes are available</c> message.
/// </summary>
internal static class NodeFit
{
    public static string? Check(JsonObject pod, JsonObject node, IReadOnlyCollection<JsonObject> podsOnNode, IReadOnlyCollection<JsonObject> allPods,
        IReadOnlyDictionary<string, JsonObject> nodesByName)
    {
        if (node.Bool("spec", "unschedulable") && !Tolerates(pod, new JsonObject { ["key"] = "node.kubernetes.io/unschedulable", ["effect"] = "NoSchedule" }))
        {
            return "node(s) were unschedulable";
        }
        foreach (var taint in node.Items("spec", "taints").Where(t => t.Str("effect") is "NoSchedule" or "NoExecute"))
        {
            if (!Tolerates(pod, taint))
            {
                return $"node(s) had untolerated taint {{{taint.Str("key")}: {taint.Str("value")}}}";
            }
        }
        if (!MatchesNodeSelector(pod, node))
        {
            return "node(s) didn't match Pod's node affinity/selector";
        }
        if (pod.Str("spec", "nodeName") is { Length: > 0 } wanted && wanted != node.Str("metadata", "name"))
        {
            return "node(s) didn't match the requested node name";
        }
        if (podsOnNode.Count + 1 > node.Int("status", "allocatable", "pods"))
        {
            return "Too many pods";
        }
        foreach (var resource in new[] { "cpu", "memory" })
        {
            var request = Pods.Request(pod, resource);
            if (request == 0)
            {
                continue;
            }
            Mcg.Kube.Objects.Quantity.TryParse(node.Str("status", "allocatable", resource), out var allocatable);
            if (podsOnNode.Sum(p => Pods.Request(p, resource)) + request > allocatable)
            {
                return $"Insufficient {resource}";
            }
        }
        if (!SatisfiesAntiAffinity(pod, node, allPods, nodesByName))
        {
            return "node(s) didn't match pod anti-affinity rules";
        }
        return null;
    }

    /// <summary>Preferences: preferred node affinity weights, then spreading a controller's pods, then the least loaded node.</summary>
    public static double Score(JsonObject pod, JsonObject node, IReadOnlyCollection<JsonObject> podsOnNode)
    {
        double score = 0;
        foreach (var term in pod.Items("spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"))
        {
            if (term.Obj("preference") is { } preference && TermMatches(preference, node))
            {
                score += term.Int("weight") * 100;
            }
        }
        var owner = pod.ControllerUid();
        if (owner is not null)
        {
            score -= podsOnNode.Count(p => p.ControllerUid() == owner) * 10;
        }
        return score - podsOnNode.Count;
    }

    public static bool Tolerates(JsonObject pod, JsonObject taint) =>
        pod.Items("spec", "tolerations").Any(t =>
            (t.Str("effect").Length == 0 || t.Str("effect") == taint.Str("effect"))
            && (t.Str("operator") == "Exists"
                ? t.Str("key").Length == 0 || t.Str("key") == taint.Str("key")
                : t.Str("key") == taint.Str("key") && t.Str("value") == taint.Str("value")));

    public static bool MatchesNodeSelector(JsonObject pod, JsonObject node)
    {
        var labels = LabelsOf(node);
        foreach (var (k, v) in pod.Obj("spec", "nodeSelector") ?? [])
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v?.ToString())
            {
                return false;
            }
        }
        var terms = pod.Items("spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").ToList();
        return terms.Count == 0 || terms.Any(t => TermMatches(t, node));
    }

    /// <summary>A NodeSelectorTerm: all its matchExpressions (on labels) and matchFields (on metadata.name) hold.</summary>
    private static bool TermMatches(JsonObject term, JsonObject node)
    {
        var labels = LabelsOf(node);
        var fields = new Dictionary<string, string> { ["metadata.name"] = node.Str("metadata", "name") };
        return term.Items("matchExpressions").All(e => Requirement(e, labels)) && term.Items("matchFields").All(e => Requirement(e, fields));
    }

    private static bool Requirement(JsonObject e, IReadOnlyDictionary<string, string> labels)
    {
        var values = (e["values"] as JsonArray)?.Select(v => v?.ToString() ?? "").ToList() ?? [];
        var has = labels.TryGetValue(e.Str("key"), out var value);
        return e.Str("operator") switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && long.TryParse(value, CultureInfo.InvariantCulture, out var a) && values.Count == 1 && long.TryParse(values[0], CultureInfo.InvariantCulture, out var b) && a > b,
            "Lt" => has && long.TryParse(value, CultureInfo.InvariantCulture, out var c) && values.Count == 1 && long.TryParse(values[0], CultureInfo.InvariantCulture, out var d) && c < d,
            _ => false,
        };
    }

    /// <summary>Required pod anti-affinity: no pod matching a term's selector in the same topology domain.</summary>
    private static bool SatisfiesAntiAffinity(JsonObject pod, JsonObject node, IReadOnlyCollection<JsonObject> allPods, IReadOnlyDictionary<string, JsonObject> nodesByName)
    {
        foreach (var term in pod.Items("spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"))
        {
            var key = term.Str("topologyKey");
            var selector = LabelSelector.FromObject(term.Obj("labelSelector"));
            if (!LabelsOf(node).TryGetValue(key, out var domain))
            {
                continue;
            }
            var namespaces = (term["namespaces"] as JsonArray)?.Select(n => n?.ToString()).ToHashSet() ?? [pod.Str("metadata", "namespace")];
            foreach (var other in allPods)
            {
                if (other.Str("metadata", "uid") == pod.Str("metadata", "uid") || !Pods.IsActive(other) || !namespaces.Contains(other.Str("metadata", "namespace")))
                {
                    continue;
                }
                if (nodesByName.TryGetValue(other.Str("spec", "nodeName"), out var otherNode) && LabelsOf(otherNode).GetValueOrDefault(key) == domain
                    && selector.Matches(LabelsOf(other)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static Dictionary<string, string> LabelsOf(JsonObject obj) =>
        (obj.Obj("metadata", "labels") ?? []).ToDictionary(l => l.Key, l => l.Value?.ToString() ?? "");
}
