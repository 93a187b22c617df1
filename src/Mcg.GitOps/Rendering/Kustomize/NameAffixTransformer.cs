namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>namePrefix and nameSuffix. Namespaces, CRDs and APIServices keep their names, as in kustomize.</summary>
internal static class NameAffixTransformer
{
    public static void Apply(ResourceAccumulator resources, string prefix, string suffix)
    {
        foreach (var r in resources.Resources)
        {
            var org = r.OrgId.Gvk;
            if (org.Kind is "CustomResourceDefinition" or "Namespace" || (org.Kind == "APIService" && org.Group == "apiregistration.k8s.io"))
            {
                continue;
            }
            // kustomize records the (possibly empty) affixes of every layer; references use them to pick among look-alikes.
            r.Prefixes.Add(prefix);
            if (prefix.Length > 0)
            {
                r.StorePreviousId();
                r.SetName(prefix + r.Name);
            }
            r.Suffixes.Add(suffix);
            if (suffix.Length > 0)
            {
                r.StorePreviousId();
                r.SetName(r.Name + suffix);
            }
        }
    }
}
