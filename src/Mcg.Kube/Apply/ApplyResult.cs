using System.Text.Json.Nodes;

namespace Mcg.Kube.Apply;

/// <summary>A field another manager owns with a different value than the one applied.</summary>
public sealed record ApplyConflict(ManagedFieldsEntry Owner, FieldPath Path)
{
    public string Manager => Owner.Manager;

    /// <summary>The path as Kubernetes prints it, for a status cause's <c>field</c>.</summary>
    public string Field => Path.ToString();

    /// <summary>The status cause message: <c>conflict with "alice"</c>.</summary>
    public string Message => "conflict with " + Owner.Description;
}

/// <summary>The outcome of an apply: the object to store, or the conflicts that stopped it (HTTP 409).</summary>
public sealed class ApplyResult
{
    private ApplyResult(JsonObject? obj, IReadOnlyList<ApplyConflict> conflicts)
    {
        Object = obj;
        Conflicts = conflicts;
    }

    /// <summary>The merged object with its managedFields; null when there were conflicts.</summary>
    public JsonObject? Object { get; }

    public IReadOnlyList<ApplyConflict> Conflicts { get; }

    public bool Succeeded => Conflicts.Count == 0;

    /// <summary>The conflict message, formatted as k8s.io/apimachinery's managedfields does; null on success.</summary>
    public string? Message => Succeeded ? null : FormatConflicts(Conflicts);

    internal static ApplyResult Success(JsonObject obj) => new(obj, []);

    internal static ApplyResult Failure(IReadOnlyList<ApplyConflict> conflicts) => new(null, conflicts);

    private static string FormatConflicts(IReadOnlyList<ApplyConflict> conflicts)
    {
        if (conflicts.Count == 1)
        {
            return $"Apply failed with 1 conflict: {conflicts[0].Message}: {conflicts[0].Field}";
        }
        var lines = conflicts
            .GroupBy(c => c.Owner.Identity)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Select(c => "- " + c.Field).Prepend($"conflicts with {g.First().Owner.Description}:"));
        return $"Apply failed with {conflicts.Count} conflicts: " + string.Join("\n", lines);
    }
}

/// <summary>An apply request that is invalid in itself (HTTP 400).</summary>
public sealed class ApplyException(string message) : Exception(message);
