using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>
/// A set of field paths, shaped as a tree like structured-merge-diff's <c>fieldpath.Set</c>: at each level the elements that
/// are themselves in the set (members) and the subtrees below elements (children). An element can be both, which fieldsV1
/// marks with <c>".": {}</c>. Immutable once built; the set operations return new sets.
/// </summary>
public sealed class FieldSet
{
    private readonly SortedSet<PathElement> members = [];
    private readonly SortedDictionary<PathElement, FieldSet> children = [];

    public bool IsEmpty => members.Count == 0 && children.Count == 0;

    /// <summary>Every path in the set: this level's members, then each child's paths, in element order.</summary>
    public IEnumerable<FieldPath> Paths => Enumerate([]);

    public static FieldSet FromPaths(IEnumerable<FieldPath> paths)
    {
        var set = new FieldSet();
        foreach (var path in paths)
        {
            set.Insert(path.Elements);
        }
        return set;
    }

    /// <summary>The fields set in <paramref name="obj"/>: leaves, keyed list items (<c>k:</c>) and set list values (<c>v:</c>).</summary>
    public static FieldSet FromObject(JsonObject obj) => ObjectFields.Of(obj);

    /// <summary>Parses the <c>fieldsV1</c> form. Keys with prefixes this version does not know are dropped, as upstream does.</summary>
    public static FieldSet FromFieldsV1(JsonObject fieldsV1)
    {
        var set = new FieldSet();
        foreach (var (key, value) in fieldsV1)
        {
            if (key == "." || !PathElement.TryParse(key, out var element))
            {
                continue;
            }
            var body = value as JsonObject ?? [];
            if (body.Count == 0 || body.ContainsKey("."))
            {
                set.members.Add(element);
            }
            var child = FromFieldsV1(body);
            if (!child.IsEmpty)
            {
                set.children[element] = set.children.TryGetValue(element, out var existing) ? existing.Union(child) : child;
            }
        }
        return set;
    }

    /// <summary>The <c>fieldsV1</c> form Kubernetes writes: elements in order, <c>"."</c> first where an element is also a member.</summary>
    public JsonObject ToFieldsV1()
    {
        var result = new JsonObject();
        foreach (var element in Elements)
        {
            if (children.TryGetValue(element, out var child))
            {
                var body = new JsonObject();
                if (members.Contains(element))
                {
                    body["."] = new JsonObject();
                }
                foreach (var (key, value) in child.ToFieldsV1())
                {
                    body[key] = value?.DeepClone();
                }
                result[element.Serialize()] = body;
            }
            else
            {
                result[element.Serialize()] = new JsonObject();
            }
        }
        return result;
    }

    public bool Contains(FieldPath path)
    {
        var set = this;
        for (var i = 0; i < path.Elements.Count - 1; i++)
        {
            if (!set.children.TryGetValue(path.Elements[i], out set!))
            {
                return false;
            }
        }
        return path.Elements.Count > 0 && set.members.Contains(path.Elements[^1]);
    }

    public FieldSet Union(FieldSet other)
    {
        var result = new FieldSet();
        result.members.UnionWith(members);
        result.members.UnionWith(other.members);
        foreach (var element in children.Keys.Union(other.children.Keys))
        {
            var (a, b) = (children.GetValueOrDefault(element), other.children.GetValueOrDefault(element));
            result.children[element] = a is null ? b! : b is null ? a : a.Union(b);
        }
        return result;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet();
        result.members.UnionWith(members.Where(other.members.Contains));
        foreach (var (element, child) in children)
        {
            if (other.children.TryGetValue(element, out var otherChild))
            {
                result.AddChild(element, child.Intersection(otherChild));
            }
        }
        return result;
    }

    /// <summary>The paths in this set that are not in <paramref name="other"/> (a member there does not remove paths below it).</summary>
    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet();
        result.members.UnionWith(members.Where(m => !other.members.Contains(m)));
        foreach (var (element, child) in children)
        {
            result.AddChild(element, other.children.TryGetValue(element, out var otherChild) ? child.Difference(otherChild) : child);
        }
        return result;
    }

    public bool SetEquals(FieldSet other) =>
        members.SetEquals(other.members)
        && children.Count == other.children.Count
        && children.All(c => other.children.TryGetValue(c.Key, out var o) && c.Value.SetEquals(o));

    public override string ToString() => JsonText.Of(ToFieldsV1());

    /// <summary>The elements present at this level, whether as members, children or both, in order.</summary>
    internal IEnumerable<PathElement> Elements => members.Union(children.Keys).Order();

    internal bool HasMember(PathElement element) => members.Contains(element);

    /// <summary>Whether the path to <paramref name="element"/>, or any path below it, is in the set.</summary>
    internal bool HasAtOrBelow(PathElement element) => members.Contains(element) || children.ContainsKey(element);

    internal FieldSet? Child(PathElement element) => children.GetValueOrDefault(element);

    /// <summary>Adds a path; only while building a set nothing else holds yet, as set operations share subtrees.</summary>
    internal void Insert(IReadOnlyList<PathElement> path)
    {
        var set = this;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (!set.children.TryGetValue(path[i], out var child))
            {
                child = new FieldSet();
                set.children[path[i]] = child;
            }
            set = child;
        }
        set.members.Add(path[^1]);
    }

    private void AddChild(PathElement element, FieldSet child)
    {
        if (!child.IsEmpty)
        {
            children[element] = child;
        }
    }

    private IEnumerable<FieldPath> Enumerate(List<PathElement> prefix)
    {
        foreach (var member in members)
        {
            yield return new FieldPath([.. prefix, member]);
        }
        foreach (var (element, child) in children)
        {
            foreach (var path in child.Enumerate([.. prefix, element]))
            {
                yield return path;
            }
        }
    }
}
