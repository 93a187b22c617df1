using Mcg.Fleet.Crds;
using Mcg.Kube.Client;

namespace Mcg.Fleet.Policy;

/// <summary>The resources the policy controllers use besides <see cref="OcmCrds"/>.</summary>
public static class PolicyResources
{

    /// <summary>PolicySets (policy.open-cluster-management.io/v1beta1); optional: bindings to them resolve when the CRD is served.</summary>
    public static readonly ResourceRef PolicySets = new(OcmCrds.PolicyGroup, "v1beta1", "policysets", "PolicySet", true);
}
