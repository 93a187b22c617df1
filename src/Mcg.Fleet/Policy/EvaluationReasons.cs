namespace Mcg.Fleet.Policy;

/// <summary>The reasons config-policy-controller gives an object's evaluation (its related-object reasons).</summary>
public static class EvaluationReasons
{
    public const string WantFoundExists = "Resource found as expected";
    public const string WantFoundCreated = "K8s creation success";
    public const string UpdateSuccess = "K8s update success";
    public const string DeleteSuccess = "K8s deletion success";
    public const string WantFoundNoMatch = "Resource found but does not match";
    public const string WantFoundDNE = "Resource not found but should exist";
    public const string WantNotFoundExists = "Resource found but should not exist";
    public const string WantNotFoundDNE = "Resource not found as expected";
}
