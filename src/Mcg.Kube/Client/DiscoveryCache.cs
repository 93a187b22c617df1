using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Client;

/// <summary>
/// Caches the APIResourceList of each group/version (<c>/api/v1</c>, <c>/apis/&lt;g&gt;/&lt;v&gt;</c>); a kind that is
/// not in the cached list triggers a refetch of that group/version, so CRDs registered at run time are found.
/// </summary>
internal sealed class DiscoveryCache(Func<string, CancellationToken, Task<JsonObject?>> fetch)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, ResourceRef>> _byGroupVersion = new(StringComparer.Ordinal);

    public async Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct)
    {
        if (TryGet(gvk, out var cached))
        {
            return cached;
        }
        var path = gvk.Group.Length == 0 ? $"/api/{gvk.Version}" : $"/apis/{gvk.Group}/{gvk.Version}";
        var list = await fetch(path, ct);
        var kinds = Parse(gvk, list);
        lock (_lock)
        {
            _byGroupVersion[gvk.ApiVersion] = kinds;
        }
        return kinds.TryGetValue(gvk.Kind, out var found) ? found : throw new NoKindMatchException(gvk);
    }

    private bool TryGet(GroupVersionKind gvk, out ResourceRef resource)
    {
        lock (_lock)
        {
            if (_byGroupVersion.TryGetValue(gvk.ApiVersion, out var kinds) && kinds.TryGetValue(gvk.Kind, out var r))
            {
                resource = r;
                return true;
            }
        }
        resource = null!;
        return false;
    }

    private static Dictionary<string, ResourceRef> Parse(GroupVersionKind gv, JsonObject? list)
    {
        var kinds = new Dictionary<string, ResourceRef>(StringComparer.Ordinal);
        if (list?["resources"] is not JsonArray resources)
        {
            return kinds;
        }
        foreach (var r in resources.OfType<JsonObject>())
        {
            var name = r.GetString("name");
            var kind = r.GetString("kind");
            // Subresources ("pods/status") carry the parent's kind or another kind; only top-level resources count.
            if (name is null || kind is null || name.Contains('/') || kinds.ContainsKey(kind))
            {
                continue;
            }
            var namespaced = r["namespaced"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
            kinds[kind] = new ResourceRef(gv.Group, gv.Version, name, kind, namespaced);
        }
        return kinds;
    }
}
