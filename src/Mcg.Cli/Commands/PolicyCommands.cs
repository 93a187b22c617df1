using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Http;
using Mcg.Cli.Output;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Policy;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg policy …</c>: OCM governance policies on a hub, as <c>oc get policy</c> and the ACM console show them.</summary>
public static class PolicyCommands
{
    public static Command Create()
    {
        var kube = new KubeOptions();
        var policy = new Command("policy", "Governance policies (OCM/ACM): list and inspect compliance");
        policy.Subcommands.Add(List(kube));
        policy.Subcommands.Add(Status(kube));
        return policy;
    }

    /// <summary>Prints policies as <c>oc get policy -A</c> does (root and replicated policies).</summary>
    public static async Task<int> ListAsync(IKubeClient client, string? ns, string format, TextWriter output, DateTimeOffset now, CancellationToken ct)
    {
        var policies = (await client.ListAsync(OcmCrds.Policies, ns, null, ct)).Items
            .OrderBy(p => p.Namespace(), StringComparer.Ordinal)
            .ThenBy(p => p.Name(), StringComparer.Ordinal)
            .ToList();
        if (WriteStructured(format, new JsonArray(policies.Select(p => (JsonNode)p.DeepClone()).ToArray()), output))
        {
            return 0;
        }
        if (policies.Count == 0)
        {
            output.WriteLine(ns is null ? "No resources found" : $"No resources found in {ns} namespace.");
            return 0;
        }
        var table = new TableWriter("NAMESPACE", "NAME", "REMEDIATION ACTION", "COMPLIANCE STATE", "AGE");
        foreach (var p in policies)
        {
            table.Add(p.Namespace(), p.Name(), (p["spec"] as JsonObject)?.GetString("remediationAction"), (p["status"] as JsonObject)?.GetString("compliant"),
                TableConverter.Age(p.Metadata().GetString("creationTimestamp"), now));
        }
        table.Write(output);
        return 0;
    }

    /// <summary>
    /// Prints a policy's compliance per cluster with each template's latest message. For a root policy the clusters
    /// come from its status and the messages from its replicas; a replicated policy shows its own templates.
    /// </summary>
    public static async Task<int> StatusAsync(IKubeClient client, string ns, string name, string format, TextWriter output, TextWriter error,
        CancellationToken ct)
    {
        var policy = await client.GetAsync(OcmCrds.Policies, ns, name, ct);
        if (policy is null)
        {
            error.WriteLine($"Error from server (NotFound): policies.{OcmCrds.PolicyGroup} \"{name}\" not found");
            return 1;
        }
        var isReplica = policy.Labels().ContainsKey(PolicyLabels.RootPolicy);
        var replicas = new List<(string Cluster, string ClusterNamespace, string? State, JsonObject? Replica)>();
        if (isReplica)
        {
            replicas.Add((policy.Labels().GetValueOrDefault(PolicyLabels.ClusterName, ns), ns, (policy["status"] as JsonObject)?.GetString("compliant"), policy));
        }
        else
        {
            foreach (var entry in (policy["status"]?["status"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var clusterNs = entry.GetString("clusternamespace") ?? entry.GetString("clustername") ?? "";
                var replica = clusterNs.Length == 0 ? null : await client.GetAsync(OcmCrds.Policies, clusterNs, PolicyLabels.ReplicaName(ns, name), ct);
                replicas.Add((entry.GetString("clustername") ?? clusterNs, clusterNs, entry.GetString("compliant"), replica));
            }
        }
        if (WriteStructured(format, new JsonObject
        {
            ["policy"] = policy.DeepClone(),
            ["replicas"] = new JsonArray(replicas.Where(r => r.Replica is not null).Select(r => (JsonNode)r.Replica!.DeepClone()).ToArray()),
        }, output))
        {
            return 0;
        }
        var spec = policy["spec"] as JsonObject;
        output.WriteLine($"Name:                {name}");
        output.WriteLine($"Namespace:           {ns}");
        if (isReplica)
        {
            output.WriteLine($"Root policy:         {policy.Labels()[PolicyLabels.RootPolicy]}");
        }
        output.WriteLine($"Remediation action:  {spec?.GetString("remediationAction") ?? "(per template)"}");
        output.WriteLine($"Disabled:            {(spec?["disabled"] is JsonValue d && d.TryGetValue<bool>(out var disabled) && disabled ? "true" : "false")}");
        output.WriteLine($"Compliance state:    {(policy["status"] as JsonObject)?.GetString("compliant") ?? "(none)"}");
        if (!isReplica && policy["status"]?["placement"] is JsonArray { Count: > 0 } placements)
        {
            output.WriteLine();
            var placementTable = new TableWriter("PLACEMENT BINDING", "PLACEMENT", "PLACEMENT RULE", "POLICY SET");
            foreach (var p in placements.OfType<JsonObject>())
            {
                placementTable.Add(p.GetString("placementBinding"), p.GetString("placement"), p.GetString("placementRule"), p.GetString("policySet"));
            }
            placementTable.Write(output);
        }
        output.WriteLine();
        if (replicas.Count == 0)
        {
            output.WriteLine(spec?["disabled"] is JsonValue { } v && v.TryGetValue<bool>(out var off) && off
                ? "The policy is disabled: it is not propagated to any cluster."
                : "The policy is not propagated to any cluster.");
            return 0;
        }
        var table = new TableWriter("CLUSTER", "COMPLIANCE", "TEMPLATE", "TEMPLATE COMPLIANCE", "LAST UPDATE", "MESSAGE");
        foreach (var (cluster, _, state, replica) in replicas.OrderBy(r => r.Cluster, StringComparer.Ordinal))
        {
            var details = (replica?["status"]?["details"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            if (details.Count == 0)
            {
                table.Add(cluster, state ?? "Pending", "", "", "", replica is null ? "(no replicated policy)" : "(no status reported yet)");
                continue;
            }
            foreach (var detail in details)
            {
                var latest = (detail["history"] as JsonArray)?.FirstOrDefault() as JsonObject;
                table.Add(cluster, state, detail["templateMeta"]?["name"]?.GetValue<string>(), detail.GetString("compliant"),
                    latest?.GetString("lastTimestamp"), latest?.GetString("message"));
            }
        }
        table.Write(output);
        return 0;
    }

    private static Command List(KubeOptions kube)
    {
        var ns = NamespaceOption("Only this namespace (default: all namespaces)");
        var output = OutputOption();
        var cmd = new Command("list", "List policies with their remediation action and compliance state (as oc get policy -A)") { ns, output };
        cmd.Options.Add(kube.Kubeconfig);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            return await ListAsync(client, parse.GetValue(ns), parse.GetValue(output)!, Console.Out, DateTimeOffset.UtcNow, ct);
        });
        return cmd;
    }

    private static Command Status(KubeOptions kube)
    {
        var name = new Argument<string>("name") { Description = "Policy name" };
        var ns = NamespaceOption("Namespace of the policy");
        ns.DefaultValueFactory = _ => "default";
        var output = OutputOption();
        var cmd = new Command("status", "Show a policy's compliance per cluster and the latest compliance messages") { name, ns, output };
        cmd.Options.Add(kube.Kubeconfig);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            return await StatusAsync(client, parse.GetValue(ns)!, parse.GetValue(name)!, parse.GetValue(output)!, Console.Out, Console.Error, ct);
        });
        return cmd;
    }

    private static Option<string?> NamespaceOption(string description) => new("--namespace", "-n") { Description = description };

    private static Option<string> OutputOption() => new("--output", "-o") { Description = "Output format: table, yaml or json", DefaultValueFactory = _ => "table" };

    private static bool WriteStructured(string format, JsonNode node, TextWriter output)
    {
        switch (format)
        {
            case "json":
                output.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = KubeJson.Options.Encoder }));
                return true;
            case "yaml":
                output.Write(YamlJson.ToYaml(node));
                return true;
            default:
                return false;
        }
    }
}
