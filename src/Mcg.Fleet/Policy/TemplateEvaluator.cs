using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Policy;

/// <summary>
/// Evaluates object templates against a managed cluster as config-policy-controller does, and enforces them:
/// a missing musthave/mustonlyhave object is created, a mismatching one updated (merged for musthave, replaced for
/// mustonlyhave), an existing mustnothave object deleted. Templates without a name are checked against every object of
/// their kind in the namespace and are never enforced (as upstream).
/// </summary>
public sealed class TemplateEvaluator(IKubeClient managed, ILogger<TemplateEvaluator> logger)
{
    public const string FieldManager = "config-policy-controller";

    public async Task<TemplateEvaluation> EvaluateAsync(ConfigurationPolicyDefinition policy, int index, RemediationAction remediation,
        CancellationToken ct)
    {
        var template = policy.ObjectTemplates[index];
        var definition = template.ObjectDefinition;
        var apiVersion = definition.ApiVersion();
        var kind = definition.Kind();
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            return Error(null, "K8s decode object definition error",
                $"The kind and apiVersion fields are required on the object template at index {index} in policy {policy.Name}");
        }
        ResourceRef resource;
        try
        {
            resource = await managed.ResolveAsync(apiVersion, kind, ct);
        }
        catch (NoKindMatchException)
        {
            return Error(null, "K8s error", $"couldn't find mapping resource with kind {kind}, please check if you have CRD deployed");
        }
        var name = definition.Name() ?? "";
        var selectsNamespaces = false;
        IReadOnlyList<string> namespaces;
        if (!resource.Namespaced)
        {
            namespaces = [""];
        }
        else if (definition.Namespace() is { Length: > 0 } ns)
        {
            namespaces = [ns];
        }
        else
        {
            selectsNamespaces = true;
            try
            {
                var selector = NamespaceSelector.Parse(policy.NamespaceSelector);
                var all = selector.IsEmpty ? [] : (await managed.ListAsync(ResourceRef.Namespaces, null, null, ct)).Items;
                namespaces = selector.Select(all.Select(n => (n.Name()!, n.Labels())));
            }
            catch (FormatException ex)
            {
                return Error(resource, "namespaceSelector error", $"Error filtering namespaces with provided namespaceSelector: {ex.Message}", true);
            }
            if (namespaces.Count == 0)
            {
                return Error(resource, "K8s missing namespace",
                    $"namespaced object {name} of kind {kind} has no namespace specified from the policy namespaceSelector nor the object metadata", true);
            }
        }
        var results = new List<ObjectResult>();
        foreach (var ns in namespaces)
        {
            var desired = (JsonObject)definition.DeepClone();
            if (resource.Namespaced)
            {
                desired.Metadata()["namespace"] = ns;
            }
            else
            {
                desired.Metadata().Remove("namespace");
            }
            results.Add(name.Length > 0
                ? await EvaluateNamedAsync(resource, desired, ns, name, index, template, remediation, ct)
                : await EvaluateUnnamedAsync(resource, desired, ns, index, template, ct));
        }
        return new TemplateEvaluation(resource, selectsNamespaces, results);
    }

    private async Task<ObjectResult> EvaluateNamedAsync(ResourceRef resource, JsonObject desired, string ns, string name, int index,
        ObjectTemplate template, RemediationAction remediation, CancellationToken ct)
    {
        var events = new List<EvaluationEvent>();
        var enforce = remediation == RemediationAction.Enforce;
        var shouldExist = template.ComplianceType != ComplianceType.MustNotHave;
        var prefix = $"{resource.Resource} [{name}]{(ns.Length > 0 ? " in namespace " + ns : "")}";
        JsonObject? existing;
        try
        {
            existing = await managed.GetAsync(resource, NullIfEmpty(ns), name, ct);
        }
        catch (KubeApiException ex)
        {
            return new ObjectResult(ns, [name], [RetrievalError(index, ex)]);
        }
        if (existing is null && !shouldExist)
        {
            events.Add(new EvaluationEvent(true, EvaluationReasons.WantNotFoundDNE));
        }
        else if (existing is null)
        {
            events.Add(new EvaluationEvent(false, EvaluationReasons.WantFoundDNE));
            if (enforce)
            {
                var body = (JsonObject)desired.DeepClone();
                body.Remove("status");
                try
                {
                    await managed.CreateAsync(resource, body, new WriteOptions { FieldManager = FieldManager }, ct);
                    logger.LogInformation("Created {Object} to enforce the policy", prefix);
                    events.Add(new EvaluationEvent(true, EvaluationReasons.WantFoundCreated));
                }
                catch (KubeApiException ex)
                {
                    events.Add(new EvaluationEvent(false, "K8s creation error", $"{prefix} failed to create with the error `{ex.Message}`"));
                }
            }
        }
        else if (!shouldExist)
        {
            if (!enforce)
            {
                events.Add(new EvaluationEvent(false, EvaluationReasons.WantNotFoundExists));
            }
            else
            {
                try
                {
                    await managed.DeleteAsync(resource, NullIfEmpty(ns), name, null, ct);
                    logger.LogInformation("Deleted {Object} to enforce the policy", prefix);
                    events.Add(new EvaluationEvent(true, EvaluationReasons.DeleteSuccess));
                }
                catch (KubeApiException ex)
                {
                    events.Add(new EvaluationEvent(false, "K8s deletion error", $"{prefix} failed to delete with the error `{ex.Message}`"));
                }
            }
        }
        else
        {
            var match = ObjectMatcher.Compare(desired, existing, template.ComplianceType, template.MetadataComplianceType);
            if (match.Matches)
            {
                events.Add(match.StatusMatches
                    ? new EvaluationEvent(true, EvaluationReasons.WantFoundExists)
                    : new EvaluationEvent(false, EvaluationReasons.WantFoundNoMatch));
            }
            else
            {
                logger.LogDebug("{Object} differs from the template in {Fields}", prefix, string.Join(", ", match.Differences));
                events.Add(new EvaluationEvent(false, EvaluationReasons.WantFoundNoMatch));
                if (enforce)
                {
                    events.Add(await UpdateAsync(resource, desired, match, template, prefix, ct));
                }
            }
        }
        return new ObjectResult(ns, [name], events);
    }

    private async Task<EvaluationEvent> UpdateAsync(ResourceRef resource, JsonObject desired, MatchResult match, ObjectTemplate template, string prefix,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var body = match.Merged;
            (body["metadata"] as JsonObject)?.Remove("managedFields");
            try
            {
                await managed.UpdateAsync(resource, body, new WriteOptions { FieldManager = FieldManager }, ct);
                logger.LogInformation("Updated {Object} to enforce the policy ({Fields})", prefix, string.Join(", ", match.Differences));
                return match.StatusMatches
                    ? new EvaluationEvent(true, EvaluationReasons.UpdateSuccess)
                    : new EvaluationEvent(false, EvaluationReasons.WantFoundNoMatch);
            }
            catch (KubeApiException ex) when (ex.IsConflict && attempt < 3)
            {
                var fresh = await managed.GetAsync(resource, desired.Namespace(), desired.Name()!, ct);
                if (fresh is null)
                {
                    return new EvaluationEvent(false, EvaluationReasons.WantFoundDNE);
                }
                match = ObjectMatcher.Compare(desired, fresh, template.ComplianceType, template.MetadataComplianceType);
                if (match.Matches)
                {
                    return new EvaluationEvent(match.StatusMatches, match.StatusMatches ? EvaluationReasons.WantFoundExists : EvaluationReasons.WantFoundNoMatch);
                }
            }
            catch (KubeApiException ex)
            {
                return new EvaluationEvent(false, "K8s update error", $"{prefix} failed to update with the error `{ex.Message}`");
            }
        }
    }

    private async Task<ObjectResult> EvaluateUnnamedAsync(ResourceRef resource, JsonObject desired, string ns, int index, ObjectTemplate template,
        CancellationToken ct)
    {
        IReadOnlyList<JsonObject> candidates;
        try
        {
            candidates = (await managed.ListAsync(resource, NullIfEmpty(ns), null, ct)).Items;
        }
        catch (KubeApiException ex)
        {
            return new ObjectResult(ns, [], [RetrievalError(index, ex)]);
        }
        var comparison = template.ComplianceType == ComplianceType.MustNotHave ? ComplianceType.MustHave : template.ComplianceType;
        var matching = candidates
            .Where(c => ObjectMatcher.Compare(desired, c, comparison, template.MetadataComplianceType).Compliant)
            .Select(c => c.Name()!)
            .Order(StringComparer.Ordinal)
            .ToList();
        var evaluationEvent = template.ComplianceType == ComplianceType.MustNotHave
            ? matching.Count > 0
                ? new EvaluationEvent(false, EvaluationReasons.WantNotFoundExists)
                : new EvaluationEvent(true, EvaluationReasons.WantNotFoundDNE)
            : matching.Count > 0
                ? new EvaluationEvent(true, EvaluationReasons.WantFoundExists)
                : new EvaluationEvent(false, candidates.Count > 0 ? EvaluationReasons.WantFoundNoMatch : EvaluationReasons.WantFoundDNE);
        return new ObjectResult(ns, matching, [evaluationEvent]);
    }

    private static EvaluationEvent RetrievalError(int index, KubeApiException ex) =>
        new(false, "api error", $"Error retrieving an object for object-template at index [{index}]: {ex.Message}");

    private static TemplateEvaluation Error(ResourceRef? resource, string reason, string message, bool selectsNamespaces = false) =>
        new(resource, selectsNamespaces, [new ObjectResult("", [], [new EvaluationEvent(false, reason, message)])]);

    private static string? NullIfEmpty(string ns) => ns.Length == 0 ? null : ns;
}
