namespace Mcg.Fleet.Policy;

/// <summary>One step of evaluating an object: compliant or not, an <see cref="EvaluationReasons"/> reason (or an error's), and for errors a message.</summary>
public sealed record EvaluationEvent(bool Compliant, string Reason, string Message = "");
