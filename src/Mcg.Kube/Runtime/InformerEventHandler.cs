using System.Text.Json.Nodes;

namespace Mcg.Kube.Runtime;

/// <summary>
/// Receives an informer's notifications, one at a time and in order. The objects are the cache's own: do not
/// modify them (DeepClone first). Keep handlers quick, e.g. just enqueue a key.
/// </summary>
public interface IInformerEventHandler
{
    void OnAdded(JsonObject obj);

    /// <summary>A change, or a resync (then <paramref name="oldObj"/> and <paramref name="newObj"/> are the same object).</summary>
    void OnUpdated(JsonObject oldObj, JsonObject newObj);

    /// <summary>The object's last state (as deleted, or as last cached when the deletion was seen by a re-list).</summary>
    void OnDeleted(JsonObject obj);
}

/// <summary>An <see cref="IInformerEventHandler"/> from delegates; unset ones ignore the event.</summary>
public sealed class InformerEventHandler : IInformerEventHandler
{
    public Action<JsonObject>? Added { get; init; }
    public Action<JsonObject, JsonObject>? Updated { get; init; }
    public Action<JsonObject>? Deleted { get; init; }

    public void OnAdded(JsonObject obj) => Added?.Invoke(obj);

    public void OnUpdated(JsonObject oldObj, JsonObject newObj) => Updated?.Invoke(oldObj, newObj);

    public void OnDeleted(JsonObject obj) => Deleted?.Invoke(obj);
}
