using System.Text.Json.Nodes;

namespace Mcg.Kube.Client;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

public enum PatchType
{
    /// <summary>application/merge-patch+json (RFC 7386).</summary>
    Merge,

    /// <summary>application/json-patch+json (RFC 6902).</summary>
    Json,

    /// <summary>application/strategic-merge-patch+json.</summary>
    Strategic,
}

public enum PropagationPolicy
{
    Orphan,
    Background,
    Foreground,
}

/// <summary>The items of a (fully paged) list and the list's resourceVersion, from which a watch can start.</summary>
public sealed record ObjectList(IReadOnlyList<JsonObject> Items, string ResourceVersion);

public sealed record ListOptions
{
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }

    /// <summary>The page size (<c>limit</c>); pages are fetched with <c>continue</c> until the list is complete.</summary>
    public int PageSize { get; init; } = 500;
}

public sealed record WatchOptions
{
    /// <summary>Only changes after this resourceVersion are sent; null or empty starts at "most recent".</summary>
    public string? ResourceVersion { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    public bool AllowWatchBookmarks { get; init; } = true;

    /// <summary>Server-side timeout after which the server ends the stream.</summary>
    public int? TimeoutSeconds { get; init; }
}

public sealed record WriteOptions
{
    public string? FieldManager { get; init; }
    public bool DryRun { get; init; }

    /// <summary>Create only: POST to a subresource of the named object (e.g. a ServiceAccount's <c>token</c>).</summary>
    public string? Subresource { get; init; }
}

public sealed record PatchOptions
{
    public string? FieldManager { get; init; }
    public bool DryRun { get; init; }

    /// <summary>A subresource to patch, e.g. <c>status</c>.</summary>
    public string? Subresource { get; init; }
}

public sealed record ApplyOptions(string FieldManager)
{
    /// <summary>Take ownership of fields owned by other managers instead of failing with a conflict.</summary>
    public bool Force { get; init; }
    public bool DryRun { get; init; }
    public string? Subresource { get; init; }
}

public sealed record DeleteOptions
{
    public PropagationPolicy? PropagationPolicy { get; init; }
    public long? GracePeriodSeconds { get; init; }

    /// <summary>Precondition: delete only if the object still has this resourceVersion.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>Precondition: delete only if the object still has this uid.</summary>
    public string? Uid { get; init; }
    public bool DryRun { get; init; }
}
