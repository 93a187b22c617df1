using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;

namespace Mcg.GitOps.Controller;

/// <summary>A source resolved to a commit and checked out (read-only) on disk.</summary>
public sealed record SourceSnapshot(string Revision, string Directory);

/// <summary>Fetches an application source at a revision (Git today; Helm repositories later).</summary>
public interface IManifestSource
{
    /// <summary><paramref name="revision"/> overrides the source's targetRevision (sync to a revision, rollback).</summary>
    Task<SourceSnapshot> FetchAsync(ApplicationSource source, string? revision, CancellationToken ct);
}

/// <summary>Renders a checked-out source directory into manifests (Kustomize or a plain directory).</summary>
public interface IManifestRenderer
{
    IReadOnlyList<JsonObject> Render(string root, ApplicationSource source);
}
