using System.Text.Json;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// Runs once at the end of a build: every field kustomize's nameReference configuration lists (a ConfigMap name in a pod
/// template, a roleRef, a Service in an Ingress backend, ...) that still holds a name the referenced object had before
/// prefixes, suffixes or hashes were added is rewritten to the object's final name (and namespace, for map references).
/// </summary>
internal static class NameReferenceTransformer
{
    public static void Apply(IReadOnlyList<Resource> resources, string file)
    {
        foreach (var referrer in resources)
        {
            var orgGvk = referrer.OrgId.Gvk;
            List<Resource>? candidates = null;
            foreach (var (target, spec) in BuiltinConfig.NameReferences)
            {
                if (!spec.Selects(orgGvk))
                {
                    continue;
                }
                candidates ??= CouldBeReferenced(resources, referrer);
                var context = new Context(referrer, target, spec, candidates, file);
                spec.Walk(referrer.Obj, (parent, field) => context.Update(parent, field));
            }
        }
    }

    private static List<Resource> CouldBeReferenced(IReadOnlyList<Resource> resources, Resource referrer)
    {
        var id = referrer.CurId;
        if (id.IsClusterScoped)
        {
            return [.. resources];
        }
        var bindingNamespaces = new HashSet<string>();
        if (referrer.Gvk.Kind == "RoleBinding" && referrer.Obj["subjects"] is JsonArray subjects)
        {
            foreach (var s in subjects.OfType<JsonObject>().Where(s => s.GetString("kind") == "ServiceAccount"))
            {
                if (s.GetString("namespace") is { } ns)
                {
                    bindingNamespaces.Add(ns);
                }
            }
        }
        return resources.Where(r => r.CurId is var c && (c.IsClusterScoped || c.IsNsEquals(id) || bindingNamespaces.Contains(c.Namespace))).ToList();
    }

    private sealed record Context(Resource Referrer, GroupVersionKind Target, FieldSpec Spec, List<Resource> Candidates, string File)
    {
        public void Update(JsonObject parent, string field)
        {
            switch (parent[field])
            {
                case JsonArray list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is JsonObject map)
                        {
                            UpdateMap(map);
                        }
                        else if (AsString(list[i]) is { } name && Select(name, Candidates, sameNamespaceToo: false) is { } referral)
                        {
                            list[i] = referral.Name;
                        }
                    }
                    break;
                case JsonObject map:
                    UpdateMap(map);
                    break;
                case var value when AsString(value) is { } name:
                    if (Select(name, Candidates, sameNamespaceToo: false) is { } r)
                    {
                        parent[field] = r.Name;
                    }
                    break;
            }
        }

        /// <summary>A reference held as a map with name (and maybe namespace): both come from the referral.</summary>
        private void UpdateMap(JsonObject map)
        {
            if (AsString(map["name"]) is not { } name)
            {
                return;
            }
            var candidates = Candidates;
            if (AsString(map["namespace"]) is { } ns)
            {
                var byOriginal = Candidates.Where(c => c.OrgId.EffectiveNamespace == ns || c.OrgId.Namespace == ns).ToList();
                candidates = byOriginal.Count > 0 ? byOriginal : Candidates.Where(c => c.CurId.Namespace == ns).ToList();
            }
            if (Select(name, candidates, sameNamespaceToo: true) is not { } referral)
            {
                return;
            }
            map["name"] = referral.Name;
            if (referral.Namespace.Length > 0)
            {
                map["namespace"] = referral.Namespace;
            }
        }

        private Resource? Select(string oldName, List<Resource> candidates, bool sameNamespaceToo)
        {
            var roleRef = RoleRefGvk();
            var referrerId = Referrer.CurId;
            var found = candidates.Where(c =>
                    c.PrevIds.Any(id => id.Name == oldName)
                    && c.PrevIds.Any(id => Scopes.IsSelected(id.Gvk, Target))
                    && (roleRef is not { } rr || c.PrevIds.Any(id => Scopes.IsSelected(id.Gvk, rr)))
                    && (referrerId.IsClusterScoped || c.CurId.IsClusterScoped || c.Gvk.Kind == "ServiceAccount" || referrerId.IsNsEquals(c.CurId)))
                .ToList();
            if (found.Count > 1)
            {
                found = found.Where(c => c.SameAffixes(Referrer)).ToList();
            }
            if (found.Count <= 1)
            {
                return found.FirstOrDefault();
            }
            if (found.All(c => c.Name == found[0].Name && (!sameNamespaceToo || c.Namespace == found[0].Namespace)))
            {
                return found[0];
            }
            throw new RenderException($"found multiple possible referrals for \"{oldName}\" in {Referrer.CurId}: {string.Join(", ", found.Select(f => f.CurId))}", File);
        }

        private GroupVersionKind? RoleRefGvk()
        {
            if (!Spec.Path.EndsWith("roleRef/name", StringComparison.Ordinal) || Referrer.Obj["roleRef"] is not JsonObject roleRef
                || AsString(roleRef["apiGroup"]) is not { } group || AsString(roleRef["kind"]) is not { } kind)
            {
                return null;
            }
            return new GroupVersionKind(group, "", kind);
        }
    }

    private static string? AsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
