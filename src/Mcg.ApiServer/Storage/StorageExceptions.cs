namespace Mcg.ApiServer.Storage;

/// <summary>The object changed (or appeared, or vanished) since the caller read it.</summary>
public sealed class StorageConflictException(string message) : Exception(message);

/// <summary>A watch or list asked for a resourceVersion older than the kept history.</summary>
public sealed class ResourceVersionTooOldException(long requested, long oldest)
    : Exception($"too old resource version: {requested} ({oldest})");
