using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Fleet.Tests.Policy;

/// <summary>An <see cref="IKubeClient"/> that records creates and status patches of one object (for unit tests of writers).</summary>
internal sealed class RecordingKubeClient(JsonObject target) : IKubeClient
{
    public List<JsonObject> Created { get; } = [];
    public List<JsonNode> Patches { get; } = [];
    public JsonObject Target { get; private set; } = target;

    public Task<JsonObject> CreateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default)
    {
        Created.Add((JsonObject)obj.DeepClone());
        return Task.FromResult(obj);
    }

    public Task<JsonObject> PatchAsync(ResourceRef resource, string? ns, string name, PatchType type, JsonNode patch, PatchOptions? options = null,
        CancellationToken ct = default)
    {
        Patches.Add(patch.DeepClone());
        var updated = (JsonObject)Target.DeepClone();
        updated["status"] = patch["status"]?.DeepClone();
        updated.Metadata()["resourceVersion"] = (long.Parse(Target.ResourceVersion() ?? "0", System.Globalization.CultureInfo.InvariantCulture) + 1)
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        Target = updated;
        return Task.FromResult((JsonObject)updated.DeepClone());
    }

    public Task<ResourceRef> ResolveAsync(GroupVersionKind gvk, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<JsonObject?> GetAsync(ResourceRef resource, string? ns, string name, CancellationToken ct = default) => throw new NotSupportedException();

    public Task<ObjectList> ListAsync(ResourceRef resource, string? ns, ListOptions? options = null, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public async IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> WatchAsync(ResourceRef resource, string? ns, WatchOptions? options = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.CompletedTask;
        throw new NotSupportedException();
#pragma warning disable CS0162 // the iterator needs a yield
        yield break;
#pragma warning restore CS0162
    }

    public Task<JsonObject> UpdateAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public Task<JsonObject> UpdateStatusAsync(ResourceRef resource, JsonObject obj, WriteOptions? options = null, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public Task<JsonObject> ApplyAsync(ResourceRef resource, JsonObject obj, ApplyOptions options, CancellationToken ct = default) =>
        throw new NotSupportedException();

    public Task<bool> DeleteAsync(ResourceRef resource, string? ns, string name, DeleteOptions? options = null, CancellationToken ct = default) =>
        throw new NotSupportedException();
}
