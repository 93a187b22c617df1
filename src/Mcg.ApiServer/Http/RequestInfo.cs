namespace Mcg.ApiServer.Http;

/// <summary>What a request path addresses, parsed as the apiserver's RequestInfoFactory does.</summary>
public sealed record RequestInfo(
    bool IsResourceRequest,
    string Path,
    string Verb,
    string Group = "",
    string Version = "",
    string Namespace = "",
    string Resource = "",
    string Name = "",
    string Subresource = "")
{
    public static RequestInfo Parse(string method, string path, bool watch)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        int start;
        string group, version;
        if (parts.Length >= 2 && parts[0] == "api")
        {
            (group, version, start) = ("", parts[1], 2);
        }
        else if (parts.Length >= 3 && parts[0] == "apis")
        {
            (group, version, start) = (parts[1], parts[2], 3);
        }
        else
        {
            return new RequestInfo(false, path, method.ToLowerInvariant());
        }
        var rest = parts[start..];
        if (rest.Length > 1 && rest[0] == "watch")
        {
            // The deprecated /watch/ prefix: a watch of what follows.
            rest = rest[1..];
            watch = true;
        }
        if (rest.Length == 0)
        {
            return new RequestInfo(false, path, method.ToLowerInvariant());
        }
        string ns = "", resource, name = "", sub = "";
        if (rest[0] == "namespaces" && rest.Length >= 3 && rest[2] is not ("status" or "finalize"))
        {
            ns = rest[1];
            resource = rest[2];
            name = rest.Length > 3 ? rest[3] : "";
            sub = rest.Length > 4 ? string.Join('/', rest[4..]) : "";
        }
        else
        {
            resource = rest[0];
            name = rest.Length > 1 ? rest[1] : "";
            sub = rest.Length > 2 ? string.Join('/', rest[2..]) : "";
            if (resource == "namespaces")
            {
                ns = name;
            }
        }
        var collection = name.Length == 0;
        var verb = method switch
        {
            "GET" or "HEAD" when collection => watch ? "watch" : "list",
            "GET" or "HEAD" => watch ? "watch" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when collection => "deletecollection",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        return new RequestInfo(true, path, verb, group, version, ns, resource, name, sub);
    }
}
