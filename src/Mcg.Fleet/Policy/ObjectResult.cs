namespace Mcg.Fleet.Policy;

/// <summary>
/// The evaluation of an object template in one namespace ("" for cluster-scoped objects): the object names concerned and
/// the steps taken, in order (e.g. not found, then created).
/// </summary>
public sealed record ObjectResult(string Namespace, IReadOnlyList<string> Names, IReadOnlyList<EvaluationEvent> Events);
