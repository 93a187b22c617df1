namespace Mcg.ApiServer.Storage;

public enum WatchEventType { Added, Modified, Deleted }

/// <summary>One committed change. <see cref="Previous"/> lets filtered watches turn label changes into ADDED/DELETED.</summary>
public sealed record WatchEvent(long ResourceVersion, WatchEventType Type, StoredObject Object, StoredObject? Previous)
{
    public string StorageKey => Object.StorageKey;
}
