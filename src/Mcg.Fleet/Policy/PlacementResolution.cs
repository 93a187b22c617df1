using System.Text.Json.Nodes;

namespace Mcg.Fleet.Policy;

/// <summary>
/// What the placement bindings of a root policy select: the clusters (deduplicated, in order of discovery) and the
/// <c>status.placement</c> entries (<c>placementBinding</c>, <c>placement</c> or <c>placementRule</c>, <c>policySet</c>).
/// </summary>
internal sealed record PlacementResolution(IReadOnlyList<ClusterDecision> Decisions, IReadOnlyList<JsonObject> Placements);
