using System.Text.Json.Nodes;
using Mcg.ApiServer.Http;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Auth;

/// <summary>RBAC as the apiserver's authorizer evaluates it: ClusterRoleBindings, then RoleBindings of the request's namespace.</summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    private const string Roles = "rbac.authorization.k8s.io/roles";
    private const string ClusterRoles = "rbac.authorization.k8s.io/clusterroles";
    private const string RoleBindings = "rbac.authorization.k8s.io/rolebindings";
    private const string ClusterRoleBindings = "rbac.authorization.k8s.io/clusterrolebindings";

    public bool Allows(UserInfo user, RequestInfo request)
    {
        if (user.IsMaster)
        {
            return true;
        }
        if (!request.IsResourceRequest && request.Verb == "get" && IsPublicPath(request.Path))
        {
            return true;
        }
        foreach (var binding in store.List(ClusterRoleBindings, null).Items)
        {
            if (Binds(binding.Object, user) && RoleAllows(ClusterRoleRules(binding.Object), request))
            {
                return true;
            }
        }
        if (request.IsResourceRequest && request.Namespace.Length > 0)
        {
            foreach (var binding in store.List(RoleBindings, request.Namespace).Items)
            {
                if (!Binds(binding.Object, user))
                {
                    continue;
                }
                var roleRef = binding.Object["roleRef"];
                var rules = roleRef?["kind"]?.GetValue<string>() == "ClusterRole"
                    ? ClusterRoleRules(binding.Object)
                    : store.Get(Roles, request.Namespace, roleRef?["name"]?.GetValue<string>() ?? "")?.Object["rules"] as JsonArray;
                if (RoleAllows(rules, request))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>The text the apiserver returns with a 403.</summary>
    public static string ForbiddenMessage(UserInfo user, RequestInfo r)
    {
        if (!r.IsResourceRequest)
        {
            return $"forbidden: User \"{user.Name}\" cannot {r.Verb} path \"{r.Path}\"";
        }
        var resource = r.Subresource.Length > 0 ? $"{r.Resource}/{r.Subresource}" : r.Resource;
        var qualified = r.Group.Length == 0 ? r.Resource : $"{r.Resource}.{r.Group}";
        var target = r.Name.Length > 0 ? $"{qualified} \"{r.Name}\"" : qualified;
        var scope = r.Namespace.Length > 0 && r.Resource != "namespaces" ? $" in the namespace \"{r.Namespace}\"" : " at the cluster scope";
        return $"{target} is forbidden: User \"{user.Name}\" cannot {r.Verb} resource \"{resource}\" in API group \"{r.Group}\"{scope}";
    }

    private static bool IsPublicPath(string path) =>
        path is "/version" or "/healthz" or "/livez" or "/readyz" or "/api" or "/apis"
        || path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/apis/", StringComparison.Ordinal)
        || path.StartsWith("/openapi/", StringComparison.Ordinal);

    private JsonArray? ClusterRoleRules(JsonObject binding) =>
        store.Get(ClusterRoles, null, binding["roleRef"]?["name"]?.GetValue<string>() ?? "")?.Object["rules"] as JsonArray;

    private static bool Binds(JsonObject binding, UserInfo user)
    {
        if (binding["subjects"] is not JsonArray subjects)
        {
            return false;
        }
        foreach (var s in subjects.OfType<JsonObject>())
        {
            var name = s.GetString("name");
            var matched = s.GetString("kind") switch
            {
                "User" => name == user.Name,
                "Group" => name is not null && user.Groups.Contains(name),
                "ServiceAccount" => user.Name == $"system:serviceaccount:{s.GetString("namespace") ?? binding.Namespace()}:{name}",
                _ => false,
            };
            if (matched)
            {
                return true;
            }
        }
        return false;
    }

    private static bool RoleAllows(JsonArray? rules, RequestInfo r)
    {
        if (rules is null)
        {
            return false;
        }
        var resource = r.Subresource.Length > 0 ? $"{r.Resource}/{r.Subresource}" : r.Resource;
        foreach (var rule in rules.OfType<JsonObject>())
        {
            if (!Has(rule["verbs"], r.Verb))
            {
                continue;
            }
            if (!r.IsResourceRequest)
            {
                if (rule["nonResourceURLs"] is JsonArray urls && urls.Any(u => PathMatches(u?.GetValue<string>() ?? "", r.Path)))
                {
                    return true;
                }
                continue;
            }
            if (Has(rule["apiGroups"], r.Group) && (Has(rule["resources"], resource) || Has(rule["resources"], $"*/{r.Subresource}") && r.Subresource.Length > 0)
                && (rule["resourceNames"] is not JsonArray { Count: > 0 } names || names.Any(n => n?.GetValue<string>() == r.Name) && r.Name.Length > 0))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Has(JsonNode? list, string value) =>
        list is JsonArray a && a.Any(v => v?.GetValue<string>() is { } s && (s == "*" || s == value));

    private static bool PathMatches(string rule, string path) =>
        rule == "*" || rule == path || rule.EndsWith('*') && path.StartsWith(rule[..^1], StringComparison.Ordinal);
}
