using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>A remote reference: <c>key</c>, optional <c>property</c> (top-level key, then a dotted path) and <c>version</c>.</summary>
public sealed record RemoteRef(string Key, string? Property, string? Version);

/// <summary><c>spec.data[]</c>: one remote value into one Secret key.</summary>
public sealed record DataItem(string SecretKey, RemoteRef Ref);

/// <summary><c>spec.target.template</c>.</summary>
public sealed record TargetTemplate(string? Type, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyDictionary<string, string> Data, string MergePolicy);

/// <summary>The parsed and validated spec of an ExternalSecret, with ESO's defaults.</summary>
public sealed record ExternalSecretSpec
{
    public required TimeSpan RefreshInterval { get; init; }

    /// <summary><c>Periodic</c> (default), <c>OnChange</c> or <c>CreatedOnce</c>.</summary>
    public string RefreshPolicy { get; init; } = "Periodic";
    public required string StoreName { get; init; }
    public required string StoreKind { get; init; }
    public required string TargetName { get; init; }
    public string CreationPolicy { get; init; } = "Owner";
    public string DeletionPolicy { get; init; } = "Retain";
    public TargetTemplate? Template { get; init; }
    public IReadOnlyList<DataItem> Data { get; init; } = [];
    public IReadOnlyList<RemoteRef> DataFrom { get; init; } = [];

    public static ExternalSecretSpec Parse(JsonObject es)
    {
        var r = new SpecReader($"ExternalSecret {ObjectKeys.KeyOf(es)}");
        var spec = r.Object(es, "spec", "") ?? throw r.Error("spec", "is required");
        var intervalText = r.String(spec, "refreshInterval", "spec") ?? "1h";
        if (!GoDuration.TryParse(intervalText, out var interval) || interval < TimeSpan.Zero)
        {
            throw r.Error("spec.refreshInterval", $"is not a duration: \"{intervalText}\"");
        }
        var refreshPolicy = r.String(spec, "refreshPolicy", "spec") ?? "Periodic";
        if (refreshPolicy is not ("Periodic" or "OnChange" or "CreatedOnce"))
        {
            throw r.Error("spec.refreshPolicy", $"must be Periodic, OnChange or CreatedOnce, not \"{refreshPolicy}\"");
        }
        var storeRef = r.Object(spec, "secretStoreRef", "spec") ?? throw r.Error("spec.secretStoreRef", "is required");
        var storeKind = r.String(storeRef, "kind", "spec.secretStoreRef") ?? "SecretStore";
        if (storeKind is not ("SecretStore" or "ClusterSecretStore"))
        {
            throw r.Error("spec.secretStoreRef.kind", $"must be SecretStore or ClusterSecretStore, not \"{storeKind}\"");
        }
        var target = r.Object(spec, "target", "spec");
        var creation = r.String(target, "creationPolicy", "spec.target") ?? "Owner";
        if (creation is not ("Owner" or "Orphan" or "Merge" or "None"))
        {
            throw r.Error("spec.target.creationPolicy", $"must be Owner, Orphan, Merge or None, not \"{creation}\"");
        }
        var deletion = r.String(target, "deletionPolicy", "spec.target") ?? "Retain";
        if (deletion is not ("Retain" or "Delete" or "Merge"))
        {
            throw r.Error("spec.target.deletionPolicy", $"must be Retain, Delete or Merge, not \"{deletion}\"");
        }
        // The rules ESO's admission webhook enforces.
        if (deletion == "Delete" && creation is "Merge" or "None")
        {
            throw r.Error("spec.target.deletionPolicy", $"Delete requires creationPolicy Owner or Orphan, not {creation}");
        }
        if (deletion == "Merge" && creation == "None")
        {
            throw r.Error("spec.target.deletionPolicy", "Merge cannot be combined with creationPolicy None");
        }
        TargetTemplate? template = null;
        if (r.Object(target, "template", "spec.target") is { } t)
        {
            const string tp = "spec.target.template";
            var engine = r.String(t, "engineVersion", tp) ?? "v2";
            if (engine != "v2")
            {
                throw r.Error($"{tp}.engineVersion", $"must be v2, not \"{engine}\"");
            }
            var merge = r.String(t, "mergePolicy", tp) ?? "Replace";
            if (merge is not ("Replace" or "Merge"))
            {
                throw r.Error($"{tp}.mergePolicy", $"must be Replace or Merge, not \"{merge}\"");
            }
            var metadata = r.Object(t, "metadata", tp);
            template = new TargetTemplate(r.String(t, "type", tp), r.StringMap(metadata, "labels", $"{tp}.metadata"),
                r.StringMap(metadata, "annotations", $"{tp}.metadata"), r.StringMap(t, "data", tp), merge);
        }
        var data = r.Objects(spec, "data", "spec").Select((d, i) =>
        {
            var path = $"spec.data[{i}]";
            return new DataItem(r.Required(d, "secretKey", path), Ref(r, r.Object(d, "remoteRef", path) ?? throw r.Error($"{path}.remoteRef", "is required"), $"{path}.remoteRef"));
        }).ToList();
        var dataFrom = r.Objects(spec, "dataFrom", "spec").Select((d, i) =>
        {
            var path = $"spec.dataFrom[{i}]";
            return r.Object(d, "extract", path) is { } extract
                ? Ref(r, extract, $"{path}.extract")
                : throw r.Error(path, $"has no supported source ({string.Join(", ", d.Select(p => p.Key))}); extract is served");
        }).ToList();
        if (data.Count == 0 && dataFrom.Count == 0 && template is null)
        {
            throw r.Error("spec", "needs data, dataFrom or target.template");
        }
        return new ExternalSecretSpec
        {
            RefreshInterval = interval,
            RefreshPolicy = refreshPolicy,
            StoreName = r.Required(storeRef, "name", "spec.secretStoreRef"),
            StoreKind = storeKind,
            TargetName = r.String(target, "name", "spec.target") is { Length: > 0 } name ? name : es.Name()!,
            CreationPolicy = creation,
            DeletionPolicy = deletion,
            Template = template,
            Data = data,
            DataFrom = dataFrom,
        };
    }

    private static RemoteRef Ref(SpecReader r, JsonObject o, string path) =>
        new(r.Required(o, "key", path), r.String(o, "property", path), r.String(o, "version", path));
}
