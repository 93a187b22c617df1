using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

internal enum GeneratorBehavior
{
    None,
    Create,
    Merge,
    Replace,
}

/// <summary>
/// One object being built, with the bookkeeping kustomize keeps in build annotations: the ids it had before renames
/// (so references and later patches can still find it), the prefixes/suffixes applied, and generator state.
/// </summary>
internal sealed class Resource(JsonObject obj)
{
    public JsonObject Obj { get; set; } = obj;
    public List<ResId> PrevIds { get; private init; } = [];
    public List<string> Prefixes { get; private init; } = [];
    public List<string> Suffixes { get; private init; } = [];
    public bool NeedsHash { get; set; }
    public GeneratorBehavior Behavior { get; set; }

    public ResId CurId => ResId.Of(Obj);

    /// <summary>The id the resource was loaded or generated with.</summary>
    public ResId OrgId => PrevIds.Count > 0 ? PrevIds[0] : CurId;

    public IEnumerable<ResId> AllIds => PrevIds.Prepend(CurId);

    public string Name => Obj.Name() ?? "";
    public string Namespace => Obj.Namespace() ?? "";
    public GroupVersionKind Gvk => Obj.Gvk();

    public void StorePreviousId() => PrevIds.Add(CurId);

    public void SetName(string name) => Obj.Metadata()["name"] = name;

    public void SetNamespace(string ns)
    {
        if (ns.Length == 0)
        {
            Obj.Metadata().Remove("namespace");
        }
        else
        {
            Obj.Metadata()["namespace"] = ns;
        }
    }

    public Resource Clone() => new(Obj.DeepClone().AsObject())
    {
        PrevIds = [.. PrevIds],
        Prefixes = [.. Prefixes],
        Suffixes = [.. Suffixes],
        NeedsHash = NeedsHash,
        Behavior = Behavior,
    };

    /// <summary>kustomize's PrefixesSuffixesEquals: the shorter prefix and suffix lists end the longer ones.</summary>
    public bool SameAffixes(Resource other) => SameEnding(Prefixes, other.Prefixes) && SameEnding(Suffixes, other.Suffixes);

    /// <summary>Takes over the identity and bookkeeping of <paramref name="old"/>, which this generated resource replaces.</summary>
    public void AdoptIdentity(Resource old)
    {
        var labels = MergeMaps(old.Obj.Metadata()["labels"], Obj.Metadata()["labels"]);
        var annotations = MergeMaps(old.Obj.Metadata()["annotations"], Obj.Metadata()["annotations"]);
        SetOrRemove("labels", labels);
        SetOrRemove("annotations", annotations);
        SetName(old.Name);
        SetNamespace(old.Namespace);
        PrevIds.Clear();
        PrevIds.AddRange(old.PrevIds);
        Prefixes.Clear();
        Prefixes.AddRange(old.Prefixes);
        Suffixes.Clear();
        Suffixes.AddRange(old.Suffixes);
        // kustomize keeps the build annotations of the object merged into, so hashing follows the original.
        NeedsHash = old.NeedsHash;
    }

    private void SetOrRemove(string field, JsonObject? map)
    {
        if (map is null)
        {
            Obj.Metadata().Remove(field);
        }
        else
        {
            Obj.Metadata()[field] = map;
        }
    }

    private static JsonObject? MergeMaps(JsonNode? older, JsonNode? newer)
    {
        if (older is not JsonObject && newer is not JsonObject)
        {
            return null;
        }
        var result = older is JsonObject o ? o.DeepClone().AsObject() : [];
        if (newer is JsonObject n)
        {
            foreach (var (k, v) in n)
            {
                result[k] = v?.DeepClone();
            }
        }
        return result;
    }

    private static bool SameEnding(List<string> a, List<string> b)
    {
        var n = Math.Min(a.Count, b.Count);
        for (var i = 1; i <= n; i++)
        {
            if (a[^i] != b[^i])
            {
                return false;
            }
        }
        return true;
    }
}
