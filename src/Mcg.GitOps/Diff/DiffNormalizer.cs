using System.Text.Json.Nodes;

namespace Mcg.GitOps.Diff;

/// <summary>Applies Argo CD <c>ignoreDifferences</c> rules to an object before it is compared.</summary>
public static class DiffNormalizer
{
    /// <summary>
    /// A copy of <paramref name="obj"/> without the fields the matching rules ignore: JSON pointers, jq path expressions
    /// (the forms <see cref="JqPath"/> lists) and the fields owned by the listed managers in the object's own
    /// <c>metadata.managedFields</c>. Paths that do not exist are skipped, as in Argo CD. Normalise both sides of a
    /// comparison; a desired object carries no managedFields, so manager rules only thin the live side.
    /// </summary>
    /// <exception cref="ArgumentException">A rule has a malformed JSON pointer or an unsupported jq expression.</exception>
    public static JsonObject Normalize(JsonObject obj, IEnumerable<IgnoreDifference> rules)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(rules);
        var result = obj.DeepClone().AsObject();
        foreach (var rule in rules)
        {
            // Parse before matching, so a bad rule fails whatever object it is tried on.
            var pointers = rule.JsonPointers.Select(JsonPointer.Parse).ToList();
            var expressions = rule.JqPathExpressions.Select(JqPath.Parse).ToList();
            if (!rule.Matches(obj))
            {
                continue;
            }
            foreach (var pointer in pointers)
            {
                if (JsonPointer.Find(result, pointer) is { } location)
                {
                    JsonLocation.RemoveAll([location]);
                }
            }
            foreach (var expression in expressions)
            {
                JsonLocation.RemoveAll(expression.Find(result));
            }
            ManagedFields.RemoveOwnedBy(result, rule.ManagedFieldsManagers);
        }
        return result;
    }
}
