using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Client;

/// <summary>Overloads addressing resources by apiVersion + kind (or by the object's own apiVersion/kind).</summary>
public static class KubeClientExtensions
{
    public static Task<ResourceRef> ResolveAsync(this IKubeClient client, string apiVersion, string kind, CancellationToken ct = default) =>
        client.ResolveAsync(GroupVersionKind.FromApiVersion(apiVersion, kind), ct);

    public static Task<ResourceRef> ResolveAsync(this IKubeClient client, JsonObject obj, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(obj.ApiVersion()) || string.IsNullOrEmpty(obj.Kind()))
        {
            throw new ArgumentException("object has no apiVersion/kind", nameof(obj));
        }
        return client.ResolveAsync(obj.Gvk(), ct);
    }

    public static async Task<JsonObject?> GetAsync(this IKubeClient client, string apiVersion, string kind, string? ns, string name,
        CancellationToken ct = default) =>
        await client.GetAsync(await client.ResolveAsync(apiVersion, kind, ct), ns, name, ct);

    public static async Task<ObjectList> ListAsync(this IKubeClient client, string apiVersion, string kind, string? ns,
        ListOptions? options = null, CancellationToken ct = default) =>
        await client.ListAsync(await client.ResolveAsync(apiVersion, kind, ct), ns, options, ct);

    public static async Task<JsonObject> CreateAsync(this IKubeClient client, JsonObject obj, WriteOptions? options = null,
        CancellationToken ct = default) =>
        await client.CreateAsync(await client.ResolveAsync(obj, ct), obj, options, ct);

    public static async Task<JsonObject> UpdateAsync(this IKubeClient client, JsonObject obj, WriteOptions? options = null,
        CancellationToken ct = default) =>
        await client.UpdateAsync(await client.ResolveAsync(obj, ct), obj, options, ct);

    public static async Task<JsonObject> UpdateStatusAsync(this IKubeClient client, JsonObject obj, WriteOptions? options = null,
        CancellationToken ct = default) =>
        await client.UpdateStatusAsync(await client.ResolveAsync(obj, ct), obj, options, ct);

    public static async Task<JsonObject> ApplyAsync(this IKubeClient client, JsonObject obj, ApplyOptions options,
        CancellationToken ct = default) =>
        await client.ApplyAsync(await client.ResolveAsync(obj, ct), obj, options, ct);

    public static async Task<JsonObject> PatchAsync(this IKubeClient client, string apiVersion, string kind, string? ns, string name,
        PatchType type, JsonNode patch, PatchOptions? options = null, CancellationToken ct = default) =>
        await client.PatchAsync(await client.ResolveAsync(apiVersion, kind, ct), ns, name, type, patch, options, ct);

    public static async Task<bool> DeleteAsync(this IKubeClient client, string apiVersion, string kind, string? ns, string name,
        DeleteOptions? options = null, CancellationToken ct = default) =>
        await client.DeleteAsync(await client.ResolveAsync(apiVersion, kind, ct), ns, name, options, ct);
}
