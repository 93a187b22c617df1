using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Resources;

/// <summary>The set of served resources: the built-ins plus every established CustomResourceDefinition.</summary>
public sealed class ResourceRegistry
{
    private ImmutableList<ResourceType> _all = [.. BuiltInResources.All];

    /// <summary>Bumped on every change so discovery and OpenAPI documents can be cached.</summary>
    public long Generation { get; private set; }

    public IReadOnlyList<ResourceType> All => _all;

    public ResourceType? Find(string group, string version, string plural) =>
        _all.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);

    public ResourceType? FindKind(string group, string version, string kind) =>
        _all.FirstOrDefault(r => r.Group == group && r.Version == version && r.Kind == kind);

    public IEnumerable<ResourceType> ByStorage(string storageKey) => _all.Where(r => r.StorageKey == storageKey);

    public bool HasGroupVersion(string group, string version) => _all.Any(r => r.Group == group && r.Version == version);

    /// <summary>Replaces what the CRD named <paramref name="crdName"/> serves (null: it is gone).</summary>
    public void SetCustomResource(string crdName, JsonObject? crd)
    {
        lock (this)
        {
            var kept = _all.Where(r => r.BuiltIn || $"{r.Plural}.{r.Group}" != crdName);
            _all = [.. kept, .. crd is null ? [] : FromCrd(crd)];
            Generation++;
        }
    }

    /// <summary>The resource types a CRD defines, one per served version; throws <see cref="FormatException"/> on a bad spec.</summary>
    public static IEnumerable<ResourceType> FromCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw new FormatException("spec: Required value");
        var group = spec.GetString("group") ?? throw new FormatException("spec.group: Required value");
        var names = spec["names"] as JsonObject ?? throw new FormatException("spec.names: Required value");
        var plural = names.GetString("plural") ?? throw new FormatException("spec.names.plural: Required value");
        var kind = names.GetString("kind") ?? throw new FormatException("spec.names.kind: Required value");
        var singular = names.GetString("singular") ?? kind.ToLowerInvariant();
        var shortNames = Strings(names["shortNames"]);
        var categories = Strings(names["categories"]);
        var namespaced = (spec.GetString("scope") ?? "Namespaced") == "Namespaced";
        if (spec["versions"] is not JsonArray versions || versions.Count == 0)
        {
            throw new FormatException("spec.versions: Required value");
        }
        foreach (var v in versions.OfType<JsonObject>())
        {
            if (v["served"]?.GetValue<bool>() == false)
            {
                continue;
            }
            var name = v.GetString("name") ?? throw new FormatException("spec.versions[].name: Required value");
            var hasStatus = v["subresources"]?["status"] is not null;
            var columns = (v["additionalPrinterColumns"] as JsonArray)?.OfType<JsonObject>()
                .Select(c => new PrinterColumn(c.GetString("name") ?? "", c.GetString("type") ?? "string", c.GetString("jsonPath") ?? "",
                    c.GetString("description") ?? "", c["priority"]?.GetValue<int>() ?? 0, c.GetString("format") ?? ""))
                .ToList();
            var scale = v["subresources"]?["scale"] is JsonObject sc
                ? new ScaleSubresource(sc.GetString("specReplicasPath") ?? throw new FormatException("spec.versions[].subresources.scale.specReplicasPath: Required value"),
                    sc.GetString("statusReplicasPath") ?? throw new FormatException("spec.versions[].subresources.scale.statusReplicasPath: Required value"),
                    sc.GetString("labelSelectorPath") ?? "")
                : null;
            yield return new ResourceType(group, name, plural, singular, kind, namespaced, shortNames, hasStatus,
                ResourceType.AllVerbs, BuiltIn: false, Categories: categories, PrinterColumns: columns, Scale: scale);
        }
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "").ToList() : [];
}
