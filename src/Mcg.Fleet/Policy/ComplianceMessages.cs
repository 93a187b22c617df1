namespace Mcg.Fleet.Policy;

/// <summary>
/// The compliance messages of config-policy-controller (createStatus): the results of an object template across
/// namespaces become one condition, e.g. <c>namespaces [prod] not found</c>, <c>configmaps [x] found but not as specified
/// in namespace default</c>, <c>pods [p] found as specified in namespaces: a, b</c>, <c>namespaces [prod] was created
/// successfully</c>. When any namespace is noncompliant only the noncompliant results are reported. The steady compliant
/// phrases carry the suffix <c>, therefore this Object template is compliant</c>.
/// </summary>
public static class ComplianceMessages
{
    public const string CompliantSuffix = ", therefore this Object template is compliant";

    private static readonly string[] OrderedReasons =
    [
        EvaluationReasons.WantFoundExists,
        EvaluationReasons.WantFoundCreated,
        EvaluationReasons.UpdateSuccess,
        EvaluationReasons.DeleteSuccess,
        EvaluationReasons.WantFoundDNE,
        EvaluationReasons.WantFoundNoMatch,
        EvaluationReasons.WantNotFoundDNE,
        EvaluationReasons.WantNotFoundExists,
    ];

    /// <summary>Combines one event per namespace (the resource name is the plural, e.g. <c>namespaces</c>) into the template's condition.</summary>
    public static TemplateCondition Compose(string resourceName, IReadOnlyList<(string Namespace, IReadOnlyList<string> Names, EvaluationEvent Event)> results)
    {
        var compliant = results.All(r => r.Event.Compliant);
        var byReason = results
            .Where(r => r.Event.Compliant == compliant)
            .GroupBy(r => r.Event.Reason)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Namespace, StringComparer.Ordinal).ToList());
        var reasons = OrderedReasons.Concat(byReason.Keys.Where(k => !OrderedReasons.Contains(k)).Order(StringComparer.Ordinal));
        var reasonParts = new List<string>();
        var messageParts = new List<string>();
        foreach (var reason in reasons)
        {
            if (!byReason.TryGetValue(reason, out var group))
            {
                continue;
            }
            // Namespaces with the same object names are reported together.
            var byNames = group
                .GroupBy(r => r.Names.Count > 0 ? " [" + string.Join(", ", r.Names) + "]" : "")
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToList();
            var phrase = Phrase(reason);
            for (var i = 0; i < byNames.Count; i++)
            {
                var namespaces = byNames[i].Select(r => r.Namespace).ToList();
                if (phrase is null)
                {
                    if (i == 0)
                    {
                        reasonParts.Add(reason);
                    }
                    messageParts.Add(string.Join("; ", byNames[i].Select(r => r.Event.Message)));
                    continue;
                }
                if (i == 0)
                {
                    reasonParts.Add(phrase.Value.Reason);
                }
                var message = resourceName + byNames[i].Key + " " + phrase.Value.Text;
                if (namespaces[0].Length > 0)
                {
                    message += namespaces.Count > 1 ? " in namespaces: " + string.Join(", ", namespaces) : " in namespace " + namespaces[0];
                }
                if (reason is EvaluationReasons.WantFoundExists or EvaluationReasons.WantNotFoundDNE)
                {
                    message += CompliantSuffix;
                }
                messageParts.Add(message);
            }
        }
        return new TemplateCondition(compliant, string.Join("; ", reasonParts), string.Join("; ", messageParts));
    }

    /// <summary>
    /// The message a ConfigurationPolicy reports to its parent policy (config-policy-controller's default compliance
    /// message): <c>Compliant; notification - …</c> or <c>NonCompliant; violation - …; notification - …</c>, one part per object template.
    /// </summary>
    public static string ForPolicy(IReadOnlyList<TemplateCondition> conditions)
    {
        if (conditions.Count == 0)
        {
            return "ComplianceState is still unknown";
        }
        var state = conditions.All(c => c.Compliant) ? ComplianceStates.Compliant : ComplianceStates.NonCompliant;
        return state + string.Concat(conditions.Select(c => $"; {c.Type} - {c.Message}"));
    }

    private static (string Reason, string Text)? Phrase(string reason) => reason switch
    {
        EvaluationReasons.WantFoundExists => ("K8s `must have` object already exists", "found as specified"),
        EvaluationReasons.WantFoundCreated => (EvaluationReasons.WantFoundCreated, "was created successfully"),
        EvaluationReasons.UpdateSuccess => (EvaluationReasons.UpdateSuccess, "was updated successfully"),
        EvaluationReasons.DeleteSuccess => (EvaluationReasons.DeleteSuccess, "was deleted successfully"),
        EvaluationReasons.WantFoundDNE => ("K8s does not have a `must have` object", "not found"),
        EvaluationReasons.WantFoundNoMatch => ("K8s does not have a `must have` object", "found but not as specified"),
        EvaluationReasons.WantNotFoundExists => ("K8s has a `must not have` object", "found"),
        EvaluationReasons.WantNotFoundDNE => ("K8s `must not have` object already missing", "missing as expected"),
        _ => null,
    };
}
