using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Kube.Client;

/// <summary>
/// Access to a Kubernetes-style API server with unstructured objects. Failed calls throw <see cref="KubeApiException"/>
/// (410 Gone/Expired as <see cref="ResourceVersionExpiredException"/>). For create, update and apply the namespace and
/// name are taken from the object's metadata.
/// </summary>
public interface IKubeClient
{
    /// <summary>Finds the resource serving a kind via discovery (cached; refreshed on a miss).</summary>
    /// <exception cref="NoKindMatchException">The server serves no such kind.</exception>
    Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct = default);

    /// <summary>Gets one object, or null when it does not exist (404).</summary>
    Task<JsonObject?> GetAsync(ResourceRef resource, string? ns, string name, CancellationToken ct = default);

    /// <summary>Lists all matching objects (following <c>continue</c> tokens); ns null lists all namespaces.</summary>
    Task<ObjectList> ListAsync(ResourceRef resource, string? ns, ListOptions? options = null, CancellationToken ct = default);

    /// <summary>
    /// Streams changes after <see cref="WatchOptions.ResourceVersion"/> until the server ends the stream.
    /// A too old resourceVersion throws <see cref="ResourceVersionExpiredException"/> (at the start or as an ERROR event).
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> WatchAsync(
        ResourceRef resource, string? ns, WatchOptions? options = null, CancellationToken ct = default);

    Task<JsonObject> CreateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default);

    /// <summary>Replaces the object (PUT); metadata.resourceVersion, when set, makes it a compare-and-swap.</summary>
    Task<JsonObject> UpdateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default);

    /// <summary>Replaces the status subresource (PUT .../status).</summary>
    Task<JsonObject> UpdateStatusAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default);

    Task<JsonObject> PatchAsync(ResourceRef resource, string? ns, string name, PatchType type, JsonNode patch,
        PatchOptions? options = null, CancellationToken ct = default);

    /// <summary>Server-side apply: PATCH with application/apply-patch+yaml (the body is JSON, which is YAML).</summary>
    Task<JsonObject> ApplyAsync(ResourceRef resource, JsonObject obj, ApplyOptions options, CancellationToken ct = default);

    /// <summary>Deletes an object; false when it did not exist (404).</summary>
    Task<bool> DeleteAsync(ResourceRef resource, string? ns, string name, DeleteOptions? options = null, CancellationToken ct = default);
}
