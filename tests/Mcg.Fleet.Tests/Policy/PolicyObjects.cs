using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;

namespace Mcg.Fleet.Tests.Policy;

/// <summary>Builds the OCM objects the end-to-end tests use, as users write them.</summary>
internal static class PolicyObjects
{
    public static JsonObject RootPolicy(string name, string? remediationAction, params JsonObject[] configurationPolicies)
    {
        var spec = new JsonObject
        {
            ["disabled"] = false,
            ["policy-templates"] = new JsonArray(configurationPolicies.Select(c => (JsonNode)new JsonObject { ["objectDefinition"] = c }).ToArray()),
        };
        if (remediationAction is not null)
        {
            spec["remediationAction"] = remediationAction;
        }
        return new JsonObject
        {
            ["apiVersion"] = "policy.open-cluster-management.io/v1",
            ["kind"] = "Policy",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = PolicyFixture.RootNamespace },
            ["spec"] = spec,
        };
    }

    public static JsonObject ConfigurationPolicy(string name, string remediationAction, string complianceType, JsonObject objectDefinition,
        JsonObject? namespaceSelector = null)
    {
        var spec = new JsonObject
        {
            ["remediationAction"] = remediationAction,
            ["severity"] = "low",
            ["object-templates"] = new JsonArray(new JsonObject { ["complianceType"] = complianceType, ["objectDefinition"] = objectDefinition }),
        };
        if (namespaceSelector is not null)
        {
            spec["namespaceSelector"] = namespaceSelector;
        }
        return new JsonObject
        {
            ["apiVersion"] = "policy.open-cluster-management.io/v1",
            ["kind"] = "ConfigurationPolicy",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }

    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name },
    };

    public static JsonObject ConfigMap(string name, string ns, JsonObject data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = data,
    };

    public static JsonObject Binding(string name, string placementKind, string placementName, params string[] policies) => new()
    {
        ["apiVersion"] = "policy.open-cluster-management.io/v1",
        ["kind"] = "PlacementBinding",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = PolicyFixture.RootNamespace },
        ["placementRef"] = new JsonObject
        {
            ["apiGroup"] = placementKind == "PlacementRule" ? OcmCrds.AppsGroup : OcmCrds.ClusterGroup,
            ["kind"] = placementKind,
            ["name"] = placementName,
        },
        ["subjects"] = new JsonArray(policies.Select(p => (JsonNode)new JsonObject
        {
            ["apiGroup"] = OcmCrds.PolicyGroup,
            ["kind"] = "Policy",
            ["name"] = p,
        }).ToArray()),
    };

    /// <summary>Creates (once) the Placement and its PlacementDecision, and sets the decision to these clusters (what the placement controller does).</summary>
    public static async Task DecideAsync(IKubeClient hub, string placement, params string[] clusters)
    {
        var ns = PolicyFixture.RootNamespace;
        if (await hub.GetAsync(OcmCrds.Placements, ns, placement) is null)
        {
            await hub.CreateAsync(OcmCrds.Placements, new JsonObject
            {
                ["apiVersion"] = OcmCrds.Placements.ApiVersion,
                ["kind"] = "Placement",
                ["metadata"] = new JsonObject { ["name"] = placement, ["namespace"] = ns },
                ["spec"] = new JsonObject(),
            });
        }
        var decisionName = placement + "-decision-1";
        if (await hub.GetAsync(OcmCrds.PlacementDecisions, ns, decisionName) is null)
        {
            await hub.CreateAsync(OcmCrds.PlacementDecisions, new JsonObject
            {
                ["apiVersion"] = OcmCrds.PlacementDecisions.ApiVersion,
                ["kind"] = "PlacementDecision",
                ["metadata"] = new JsonObject
                {
                    ["name"] = decisionName,
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["cluster.open-cluster-management.io/placement"] = placement },
                },
            });
        }
        await hub.PatchAsync(OcmCrds.PlacementDecisions, ns, decisionName, PatchType.Merge, new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["decisions"] = new JsonArray(clusters.Select(c => (JsonNode)new JsonObject { ["clusterName"] = c, ["reason"] = "" }).ToArray()),
            },
        }, new PatchOptions { Subresource = "status" });
    }
}
