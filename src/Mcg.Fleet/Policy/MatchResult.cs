using System.Text.Json.Nodes;

namespace Mcg.Fleet.Policy;

/// <summary>
/// The outcome of comparing an object template with a live object: whether the given fields match (status excluded),
/// whether a given <c>status</c> matches (it cannot be enforced), the fields that differ, and the live object with the
/// template applied (what enforcing writes).
/// </summary>
public sealed record MatchResult(bool Matches, bool StatusMatches, IReadOnlyList<string> Differences, JsonObject Merged)
{
    public bool Compliant => Matches && StatusMatches;
}
