using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>
/// A kustomize field spec: which kinds (empty parts match anything), which slash-separated path, and whether missing
/// maps on the way are created. Lists met on the path are walked element by element; <c>name[]</c> marks a list field.
/// </summary>
internal sealed record FieldSpec(GroupVersionKind Gvk, string Path, bool Create)
{
    public IReadOnlyList<string> Segments { get; } = Split(Path);

    public bool Selects(GroupVersionKind gvk) => Scopes.IsSelected(gvk, Gvk);

    /// <summary>
    /// Calls <paramref name="visit"/> with each parent object and field name the path leads to. With <see cref="Create"/>
    /// and <paramref name="create"/>, missing parents are created as maps (never lists, as in kustomize's field spec filter).
    /// The visitor sees the final field whether or not it exists.
    /// </summary>
    public void Walk(JsonObject root, Action<JsonObject, string> visit, bool create = true) => Walk(root, root.Gvk(), visit, create);

    /// <summary>As <see cref="Walk(JsonObject, Action{JsonObject, string}, bool)"/>, with the object's kind already known.</summary>
    public void Walk(JsonObject root, GroupVersionKind gvk, Action<JsonObject, string> visit, bool create = true)
    {
        if (Selects(gvk))
        {
            Walk(root, 0, visit, create && Create);
        }
    }

    private void Walk(JsonNode? node, int index, Action<JsonObject, string> visit, bool create)
    {
        switch (node)
        {
            case JsonArray list:
                foreach (var item in list.ToList())
                {
                    Walk(item, index, visit, create);
                }
                return;
            case JsonObject obj:
                var segment = Segments[index];
                var isList = segment.EndsWith("[]", StringComparison.Ordinal);
                var field = isList ? segment[..^2] : segment;
                if (index == Segments.Count - 1)
                {
                    visit(obj, field);
                    return;
                }
                var next = obj[field];
                if (next is null && create && !isList)
                {
                    next = new JsonObject();
                    obj[field] = next;
                }
                Walk(next, index + 1, visit, create);
                return;
        }
    }

    private static string[] Split(string path)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '\\' && i + 1 < path.Length && path[i + 1] == '/')
            {
                current.Append('/');
                i++;
            }
            else if (path[i] == '/')
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(path[i]);
            }
        }
        parts.Add(current.ToString());
        return [.. parts];
    }
}
