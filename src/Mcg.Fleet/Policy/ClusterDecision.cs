namespace Mcg.Fleet.Policy;

/// <summary>A cluster a placement selected, and the namespace on the hub that holds its replicated policies.</summary>
public sealed record ClusterDecision(string ClusterName, string ClusterNamespace);
