using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Keeps the ConfigurationPolicies of the replicated policies in the cluster's namespace on the managed cluster, as the
/// framework's template-sync creates them, with the status config-policy-controller gives them (<c>compliant</c>,
/// <c>compliancyDetails</c>). Best effort: failures (e.g. the CRD not installed) are logged and do not affect compliance.
/// </summary>
internal sealed class ConfigurationPolicyMirror(IKubeClient managed, string clusterName, ILogger<ConfigurationPolicyMirror> logger)
{
    private const string FieldManager = "governance-policy-framework";

    private readonly ConcurrentDictionary<string, (string Spec, JsonObject Status)> _written = new(StringComparer.Ordinal);
    private volatile bool _namespaceReady;

    public async Task WriteAsync(string replicaName, ConfigurationPolicyDefinition definition, TemplateState state, CancellationToken ct)
    {
        try
        {
            await EnsureNamespaceAsync(ct);
            var name = definition.Name;
            var spec = definition.Definition["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
            var specText = spec.ToJsonString();
            _written.TryGetValue(name, out var last);
            if (last.Spec != specText)
            {
                var labels = new JsonObject
                {
                    [PolicyLabels.ClusterName] = clusterName,
                    [PolicyLabels.ClusterNamespace] = clusterName,
                    [PolicyLabels.Policy] = replicaName,
                };
                await managed.ApplyAsync(OcmCrds.ConfigurationPolicies, new JsonObject
                {
                    ["apiVersion"] = OcmCrds.ConfigurationPolicies.ApiVersion,
                    ["kind"] = OcmCrds.ConfigurationPolicies.Kind,
                    ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = clusterName, ["labels"] = labels },
                    ["spec"] = spec,
                }, new ApplyOptions(FieldManager) { Force = true }, ct);
            }
            var status = Status(state, last.Status);
            if (last.Spec != specText || !JsonNode.DeepEquals(status, last.Status))
            {
                await managed.PatchAsync(OcmCrds.ConfigurationPolicies, clusterName, name, PatchType.Merge,
                    new JsonObject { ["status"] = status.DeepClone() }, new PatchOptions { Subresource = "status", FieldManager = FieldManager }, ct);
            }
            _written[name] = (specText, status);
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or TimeoutException)
        {
            logger.LogDebug(ex, "Could not write ConfigurationPolicy {Namespace}/{Name} on the managed cluster", clusterName, definition.Name);
        }
    }

    /// <summary>Deletes the replicated policy's ConfigurationPolicies other than <paramref name="keep"/>.</summary>
    public async Task DeleteOthersAsync(string replicaName, IReadOnlySet<string> keep, CancellationToken ct)
    {
        try
        {
            var existing = await managed.ListAsync(OcmCrds.ConfigurationPolicies, clusterName,
                new ListOptions { LabelSelector = $"{PolicyLabels.Policy}={replicaName}" }, ct);
            foreach (var item in existing.Items.Where(i => !keep.Contains(i.Name()!)))
            {
                await managed.DeleteAsync(OcmCrds.ConfigurationPolicies, clusterName, item.Name()!, null, ct);
                _written.TryRemove(item.Name()!, out _);
            }
        }
        catch (Exception ex) when (ex is KubeApiException or HttpRequestException or TimeoutException)
        {
            logger.LogDebug(ex, "Could not clean up the ConfigurationPolicies of {Policy} on the managed cluster", replicaName);
        }
    }

    private async Task EnsureNamespaceAsync(CancellationToken ct)
    {
        if (_namespaceReady)
        {
            return;
        }
        if (await managed.GetAsync(ResourceRef.Namespaces, null, clusterName, ct) is null)
        {
            try
            {
                await managed.CreateAsync(ResourceRef.Namespaces, new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Namespace",
                    ["metadata"] = new JsonObject { ["name"] = clusterName },
                }, null, ct);
            }
            catch (KubeApiException ex) when (ex.IsAlreadyExists)
            {
            }
        }
        _namespaceReady = true;
    }

    private static JsonObject Status(TemplateState state, JsonObject? previous)
    {
        var previousDetails = previous?["compliancyDetails"] as JsonArray;
        var details = new JsonArray();
        for (var i = 0; i < state.Conditions.Count; i++)
        {
            var condition = state.Conditions[i];
            var before = (previousDetails?.ElementAtOrDefault(i)?["conditions"] as JsonArray)?.FirstOrDefault() as JsonObject;
            var unchanged = before is not null && before.GetString("type") == condition.Type && before.GetString("reason") == condition.Reason
                && before.GetString("message") == condition.Message;
            details.Add(new JsonObject
            {
                ["Compliant"] = condition.State,
                ["Validity"] = new JsonObject(),
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["lastTransitionTime"] = unchanged ? before!.GetString("lastTransitionTime") : EventRecorder.Timestamp(state.LastEvaluated),
                    ["message"] = condition.Message,
                    ["reason"] = condition.Reason,
                    ["status"] = "True",
                    ["type"] = condition.Type,
                }),
            });
        }
        return new JsonObject
        {
            ["compliant"] = state.Compliant ? ComplianceStates.Compliant : ComplianceStates.NonCompliant,
            ["compliancyDetails"] = details,
        };
    }
}
