using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Storage;

/// <summary>An object as the store holds it: parsed once, serialised once, never mutated afterwards.</summary>
public sealed class StoredObject
{
    public StoredObject(string storageKey, JsonObject obj, long resourceVersion)
        : this(storageKey, KubeJson.SerializeToUtf8(obj), resourceVersion)
    {
    }

    /// <summary>From serialised bytes: the parsed form then holds only JSON-backed values, whatever built the object.</summary>
    public StoredObject(string storageKey, byte[] json, long resourceVersion)
    {
        var obj = (JsonObject)JsonNode.Parse(json)!;
        StorageKey = storageKey;
        Object = obj;
        Json = json;
        ResourceVersion = resourceVersion;
        Namespace = obj.Namespace() ?? "";
        Name = obj.Name() ?? "";
        Labels = obj.Labels();
        OwnerUids = obj.Metadata()["ownerReferences"] is JsonArray owners
            ? owners.OfType<JsonObject>().Select(o => o.GetString("uid") ?? "").Where(u => u.Length > 0).ToArray()
            : [];
    }

    public string StorageKey { get; }
    public string Namespace { get; }
    public string Name { get; }
    public long ResourceVersion { get; }

    /// <summary>Shared and frozen: callers must <c>DeepClone()</c> before changing it.</summary>
    public JsonObject Object { get; }

    public byte[] Json { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    public IReadOnlyList<string> OwnerUids { get; }
    public string Uid => Object.Uid() ?? "";
    public string Key => KeyOf(Namespace, Name);

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>A fresh mutable copy.</summary>
    public JsonObject Clone() => (JsonObject)Object.DeepClone();
}
