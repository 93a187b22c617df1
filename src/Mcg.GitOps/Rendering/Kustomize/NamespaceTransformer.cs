using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// The <c>namespace</c> field: sets metadata.namespace of namespaced objects, renames Namespace objects, points APIService
/// and CRD conversion webhooks at it, and moves binding subjects for the "default" ServiceAccount into it.
/// </summary>
internal static class NamespaceTransformer
{
    public static void Apply(ResourceAccumulator resources, string ns)
    {
        foreach (var r in resources.Resources)
        {
            r.StorePreviousId();
            if (!r.CurId.IsClusterScoped)
            {
                r.SetNamespace(ns);
            }
            if (r.Gvk.Kind is "RoleBinding" or "ClusterRoleBinding" && r.Obj["subjects"] is JsonArray subjects)
            {
                foreach (var subject in subjects.OfType<JsonObject>())
                {
                    if (subject.GetString("kind") == "ServiceAccount" && subject.GetString("name") == "default")
                    {
                        subject["namespace"] = ns;
                    }
                }
            }
            foreach (var spec in BuiltinConfig.Namespace)
            {
                spec.Walk(r.Obj, (parent, field) =>
                {
                    if (parent.ContainsKey(field) || spec.Create)
                    {
                        parent[field] = ns;
                    }
                });
            }
        }
    }
}
