using Mcg.Kube.Client;

namespace Mcg.Fleet.Policy;

/// <summary>
/// The evaluation of one object template: its results per namespace, the resource it concerns (watched for changes;
/// null when the template could not be mapped) and whether it selected namespaces (then namespaces are watched too).
/// </summary>
public sealed record TemplateEvaluation(ResourceRef? Resource, bool SelectsNamespaces, IReadOnlyList<ObjectResult> Results)
{
    /// <summary>
    /// The template's conditions, one per step (e.g. "not found" before "was created successfully"); the last is the
    /// outcome. Step k takes each namespace's k-th event (or its last when it has fewer).
    /// </summary>
    public IReadOnlyList<TemplateCondition> Conditions()
    {
        var resourceName = Resource?.Resource ?? "";
        var steps = Results.Count == 0 ? 0 : Results.Max(r => r.Events.Count);
        var conditions = new List<TemplateCondition>();
        for (var step = 0; step < steps; step++)
        {
            conditions.Add(ComplianceMessages.Compose(resourceName, Results
                .Where(r => r.Events.Count > 0)
                .Select(r => (r.Namespace, r.Names, r.Events[Math.Min(step, r.Events.Count - 1)]))
                .ToList()));
        }
        return conditions;
    }
}
