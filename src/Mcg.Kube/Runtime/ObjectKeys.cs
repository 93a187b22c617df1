using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Runtime;

/// <summary>Cache and work-queue keys: "namespace/name", or "name" for cluster-scoped objects.</summary>
public static class ObjectKeys
{
    public static string KeyOf(JsonObject obj) =>
        KeyOf(obj.Namespace(), obj.Name() ?? throw new ArgumentException("object has no metadata.name", nameof(obj)));

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    public static (string? Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
