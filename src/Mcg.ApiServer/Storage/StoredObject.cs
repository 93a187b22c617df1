using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Storage;

/// <summary>
/// An object as the store holds it: its serialised bytes (never mutated) and the few metadata fields the server indexes
/// and filters by. The parsed form is made on demand and only weakly cached: a parsed tree is about ten times the JSON,
/// and the store (with its watch history) holds every object, most of which nobody reads as a tree again.
/// </summary>
public sealed class StoredObject
{
    private readonly WeakReference<JsonObject> _parsed;

    /// <summary>
    /// From the object being written: serialised once; its metadata is read from <paramref name="obj"/> itself rather than
    /// from a parse of the bytes, since this runs inside the store's write lock. The parsed form is made on first read.
    /// </summary>
    public StoredObject(string storageKey, JsonObject obj, long resourceVersion)
        : this(storageKey, KubeJson.SerializeToUtf8(obj), resourceVersion, obj, cache: false)
    {
    }

    /// <summary>From serialised bytes: the parsed form then holds only JSON-backed values, whatever built the object.</summary>
    public StoredObject(string storageKey, byte[] json, long resourceVersion)
        : this(storageKey, json, resourceVersion, Parse(json), cache: true)
    {
    }

    private StoredObject(string storageKey, byte[] json, long resourceVersion, JsonObject obj, bool cache)
    {
        StorageKey = storageKey;
        Json = json;
        ResourceVersion = resourceVersion;
        Namespace = obj.Namespace() ?? "";
        Name = obj.Name() ?? "";
        Uid = obj.Uid() ?? "";
        ApiVersion = obj.GetString("apiVersion") ?? "";
        Labels = obj.Labels();
        OwnerUids = obj.Metadata()["ownerReferences"] is JsonArray owners
            ? owners.OfType<JsonObject>().Select(o => o.GetString("uid") ?? "").Where(u => u.Length > 0).ToArray()
            : [];
        _parsed = cache ? new WeakReference<JsonObject>(obj) : new WeakReference<JsonObject>(null!);
    }

    public string StorageKey { get; }
    public string Namespace { get; }
    public string Name { get; }
    public string Uid { get; }
    public string ApiVersion { get; }
    public long ResourceVersion { get; }

    /// <summary>The parsed object, shared and frozen: callers must <c>DeepClone()</c> (or use <see cref="Clone"/>) before changing it.</summary>
    public JsonObject Object
    {
        get
        {
            if (_parsed.TryGetTarget(out var obj))
            {
                return obj;
            }
            obj = Parse(Json);
            _parsed.SetTarget(obj);
            return obj;
        }
    }

    public byte[] Json { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    public IReadOnlyList<string> OwnerUids { get; }
    public string Key => KeyOf(Namespace, Name);

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>A fresh mutable copy.</summary>
    public JsonObject Clone() => Parse(Json);

    private static JsonObject Parse(byte[] json) => (JsonObject)JsonNode.Parse(json)!;
}
