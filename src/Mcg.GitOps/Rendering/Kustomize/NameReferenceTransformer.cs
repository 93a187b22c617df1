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
        // Names and namespaces of the referral candidates do not change here, so their ids are taken once.
        var entries = resources.Select(r => new Candidate(r, r.CurId)).ToList();
        var byPreviousName = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        foreach (var c in entries)
        {
            foreach (var name in c.Resource.PrevIds.Select(id => id.Name).Distinct())
            {
                if (!byPreviousName.TryGetValue(name, out var list))
                {
                    byPreviousName[name] = list = [];
                }
                list.Add(c);
            }
        }
        foreach (var referrer in entries)
        {
            var orgGvk = referrer.Resource.OrgId.Gvk;
            var gvk = referrer.Resource.Gvk;
            var bindingNamespaces = BindingNamespaces(referrer.Resource);
            foreach (var (target, spec) in BuiltinConfig.NameReferences)
            {
                if (spec.Selects(orgGvk))
                {
                    var context = new Context(referrer, bindingNamespaces, target, spec, entries, byPreviousName, file);
                    spec.Walk(referrer.Resource.Obj, gvk, context.Update, create: false);
                }
            }
        }
    }

    private sealed record Candidate(Resource Resource, ResId Id);

    /// <summary>A RoleBinding may refer to ServiceAccounts in the namespaces its subjects name.</summary>
    private static HashSet<string> BindingNamespaces(Resource referrer)
    {
        var namespaces = new HashSet<string>();
        if (referrer.Gvk.Kind == "RoleBinding" && referrer.Obj["subjects"] is JsonArray subjects)
        {
            foreach (var s in subjects.OfType<JsonObject>().Where(s => s.GetString("kind") == "ServiceAccount"))
            {
                if (s.GetString("namespace") is { } ns)
                {
                    namespaces.Add(ns);
                }
            }
        }
        return namespaces;
    }

    private sealed record Context(
        Candidate Referrer, HashSet<string> BindingNamespaces, GroupVersionKind Target, FieldSpec Spec,
        List<Candidate> All, Dictionary<string, List<Candidate>> ByPreviousName, string File)
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
                        else if (AsString(list[i]) is { } name && Select(name, null, sameNamespaceToo: false) is { } referral)
                        {
                            list[i] = referral.Name;
                        }
                    }
                    break;
                case JsonObject map:
                    UpdateMap(map);
                    break;
                case var value when AsString(value) is { } name:
                    if (Select(name, null, sameNamespaceToo: false) is { } r)
                    {
                        parent[field] = r.Name;
                    }
                    break;
            }
        }

        /// <summary>A reference held as a map with name (and maybe namespace): both come from the referral.</summary>
        private void UpdateMap(JsonObject map)
        {
            if (AsString(map["name"]) is not { } name
                || Select(name, AsString(map["namespace"]), sameNamespaceToo: true) is not { } referral)
            {
                return;
            }
            map["name"] = referral.Name;
            if (referral.Namespace.Length > 0)
            {
                map["namespace"] = referral.Namespace;
            }
        }

        /// <summary>kustomize's selectReferral over the objects the referrer could refer to.</summary>
        private Resource? Select(string oldName, string? mapNamespace, bool sameNamespaceToo)
        {
            if (!ByPreviousName.TryGetValue(oldName, out var named))
            {
                return null;
            }
            var referrerId = Referrer.Id;
            var candidates = named.Where(c => CouldBeReferenced(c.Id)).ToList();
            if (mapNamespace is not null)
            {
                // Candidates are narrowed to those originally in that namespace when there are any, else to those now in it.
                bool InOriginal(Candidate c) => c.Resource.OrgId.EffectiveNamespace == mapNamespace || c.Resource.OrgId.Namespace == mapNamespace;
                candidates = All.Any(c => CouldBeReferenced(c.Id) && InOriginal(c))
                    ? candidates.Where(InOriginal).ToList()
                    : candidates.Where(c => c.Id.Namespace == mapNamespace).ToList();
            }
            var roleRef = RoleRefGvk();
            var found = candidates.Where(c =>
                    c.Resource.PrevIds.Any(id => Scopes.IsSelected(id.Gvk, Target))
                    && (roleRef is not { } rr || c.Resource.PrevIds.Any(id => Scopes.IsSelected(id.Gvk, rr)))
                    && (referrerId.IsClusterScoped || c.Id.IsClusterScoped || c.Id.Gvk.Kind == "ServiceAccount" || referrerId.IsNsEquals(c.Id)))
                .Select(c => c.Resource)
                .ToList();
            if (found.Count > 1)
            {
                found = found.Where(c => c.SameAffixes(Referrer.Resource)).ToList();
            }
            if (found.Count <= 1)
            {
                return found.FirstOrDefault();
            }
            if (found.All(c => c.Name == found[0].Name && (!sameNamespaceToo || c.Namespace == found[0].Namespace)))
            {
                return found[0];
            }
            throw new RenderException($"found multiple possible referrals for \"{oldName}\" in {Referrer.Id}: {string.Join(", ", found.Select(f => f.CurId))}", File);
        }

        /// <summary>kustomize's SubsetThatCouldBeReferencedByResource.</summary>
        private bool CouldBeReferenced(ResId candidate) =>
            Referrer.Id.IsClusterScoped || candidate.IsClusterScoped || candidate.IsNsEquals(Referrer.Id) || BindingNamespaces.Contains(candidate.Namespace);

        private GroupVersionKind? RoleRefGvk()
        {
            if (!Spec.Path.EndsWith("roleRef/name", StringComparison.Ordinal) || Referrer.Resource.Obj["roleRef"] is not JsonObject roleRef
                || AsString(roleRef["apiGroup"]) is not { } group || AsString(roleRef["kind"]) is not { } kind)
            {
                return null;
            }
            return new GroupVersionKind(group, "", kind);
        }
    }

    private static string? AsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
