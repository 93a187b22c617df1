namespace Mcg.GitOps.Rendering;

/// <summary>
/// Argo CD's <c>source.directory</c>: whether to descend into subdirectories, and glob patterns (matched against the path
/// relative to the root) that files must match (<see cref="Include"/>) or must not match (<see cref="Exclude"/>).
/// </summary>
public sealed record DirectoryOptions(bool Recurse = false, string? Include = null, string? Exclude = null);
