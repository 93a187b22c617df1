using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Diff;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sync;
using Mcg.Kube.Apply;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Controller;

/// <summary>Git says X, the cluster says Y: renders an application's sources and compares them with the cluster cache.</summary>
public sealed class AppComparer(IManifestSource source, IManifestRenderer renderer, ClusterCache cache, HealthAssessor health)
{
    public const string FieldManager = "argocd-controller";

    // Rendered once per (repository, revision, path, options) and shared by every application that asks.
    private readonly ConcurrentDictionary<string, IReadOnlyList<JsonObject>> _renders = new();

    public void ForgetRenders() => _renders.Clear();

    /// <summary>Fetches every source at its revision and renders it (cached per repository, revision, path and options).</summary>
    public async Task<(IReadOnlyList<string> Revisions, IReadOnlyList<JsonObject> Rendered)> RenderAsync(IReadOnlyList<ApplicationSource> sources, string? revision, CancellationToken ct)
    {
        var revisions = new List<string>();
        var rendered = new List<JsonObject>();
        foreach (var src in sources)
        {
            if (src.Chart is not null)
            {
                throw new ComparisonException($"source {src.RepoUrl}: Helm charts are not supported yet (chart \"{src.Chart}\")");
            }
            SourceSnapshot snapshot;
            try
            {
                snapshot = await source.FetchAsync(src, sources.Count == 1 ? revision : null, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ComparisonException($"failed to fetch {src.RepoUrl} at {revision ?? src.TargetRevision}: {e.Message}");
            }
            revisions.Add(snapshot.Revision);
            if (src.Ref is not null && string.IsNullOrEmpty(src.Path))
            {
                continue; // a values-only source of a multi-source app
            }
            rendered.AddRange(Render(src, snapshot));
        }
        return (revisions, rendered);
    }

    public async Task<Comparison> CompareAsync(JsonObject app, ApplicationSpec spec, IReadOnlyList<ApplicationSource> sources, string? revision,
        IEnumerable<(string ApiVersion, string Kind)> previouslyManaged, CancellationToken ct)
    {
        var appName = app.Name()!;
        var (revisions, rendered) = await RenderAsync(sources, revision, ct);

        var targets = new List<PlannedObject>();
        var keys = new HashSet<string>();
        var notYetServed = new HashSet<ResourceRef>();
        foreach (var raw in rendered)
        {
            var obj = (JsonObject)raw.DeepClone();
            var (resource, served) = await ResolveAsync(obj, rendered, ct);
            if (!served)
            {
                notYetServed.Add(resource);
            }
            if (resource.Namespaced && string.IsNullOrEmpty(obj.Namespace()))
            {
                obj.Metadata()["namespace"] = spec.Destination.Namespace.Length > 0 ? spec.Destination.Namespace : "default";
            }
            else if (!resource.Namespaced)
            {
                obj.Metadata().Remove("namespace");
            }
            if (SyncTask.HookTypesOf(obj).Count == 0)
            {
                ResourceTracking.Stamp(obj, appName);
            }
            var key = Key(resource, obj);
            if (obj.Name() is not null && !keys.Add(key))
            {
                throw new ComparisonException($"resource {resource.Kind} {obj.Namespace()}/{obj.Name()} appeared 2 times among application resources");
            }
            targets.Add(new PlannedObject(resource, obj));
        }

        var watched = targets.Select(t => t.Resource).ToHashSet();
        foreach (var (apiVersion, kind) in previouslyManaged)
        {
            try
            {
                watched.Add(await cache.ResolveAsync(GroupVersionKind.FromApiVersion(apiVersion, kind), ct));
            }
            catch (NoKindMatchException)
            {
                // The kind is gone from the cluster (its CRD was deleted): nothing left to prune.
            }
        }
        foreach (var r in watched.Except(notYetServed))
        {
            await cache.EnsureWatchingAsync(r, ct);
        }

        var ignore = IgnoreDifference.FromApplicationSpec(spec.IgnoreDifferences);
        var states = new List<ResourceState>();
        foreach (var t in targets)
        {
            var isHook = SyncTask.HookTypesOf(t.Object).Count > 0;
            var live = t.Object.Name() is { } name ? cache.Get(t.Resource, t.Object.Namespace(), name) : null;
            var synced = isHook || live is not null && IsSynced(t.Object, live, ignore);
            states.Add(new ResourceState(t, live, synced, false, live is null ? null : health.Assess(live), isHook));
        }
        var prunable = cache.ManagedBy(appName)
            .Where(m => !keys.Contains(Key(m.Resource, m.Object)) && m.Object.Metadata()["ownerReferences"] is null)
            .Select(m => new PlannedObject(m.Resource, m.Object))
            .ToList();
        foreach (var p in prunable)
        {
            states.Add(new ResourceState(p, p.Object, false, true, health.Assess(p.Object), false));
        }
        return new Comparison(revisions, targets, prunable, states);
    }

    /// <summary>In sync when every field Git sets has the same live value and nothing we applied earlier is left over.</summary>
    public static bool IsSynced(JsonObject target, JsonObject live, IReadOnlyList<IgnoreDifference> ignore)
    {
        var t = DiffNormalizer.Normalize(target, ignore);
        var l = DiffNormalizer.Normalize(live, ignore);
        if (!LiveDiff.IsSynced(t, l))
        {
            return false;
        }
        var applied = ManagedFieldsEntry.Read(live).FirstOrDefault(e => e.Manager == FieldManager && e.Operation == ManagedFieldsEntry.ApplyOperation && e.Subresource is null);
        return applied is null || applied.Fields.Difference(FieldSet.FromObject(t)).IsEmpty;
    }

    public static string Key(ResourceRef r, JsonObject obj) => $"{r.Group}/{r.Kind}/{obj.Namespace()}/{obj.Name()}";

    private IReadOnlyList<JsonObject> Render(ApplicationSource src, SourceSnapshot snapshot)
    {
        var cacheKey = $"{src.RepoUrl}|{snapshot.Revision}|{src.Path}|{src.Directory}|{src.Kustomize?.ToJsonString()}";
        if (_renders.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }
        var root = Path.GetFullPath(Path.Combine(snapshot.Directory, src.Path));
        if (!root.StartsWith(Path.GetFullPath(snapshot.Directory), StringComparison.Ordinal) || !Directory.Exists(root))
        {
            throw new ComparisonException($"{src.RepoUrl}: app path does not exist: {src.Path}");
        }
        IReadOnlyList<JsonObject> objects;
        try
        {
            objects = renderer.Render(root, src);
        }
        catch (RenderException e)
        {
            throw new ComparisonException($"rendering {src.RepoUrl} at {snapshot.Revision[..Math.Min(7, snapshot.Revision.Length)]}, path {src.Path}: {e.Message}");
        }
        foreach (var o in objects)
        {
            if (string.IsNullOrEmpty(o.ApiVersion()) || string.IsNullOrEmpty(o.Kind()))
            {
                throw new ComparisonException($"path {src.Path}: an object has no apiVersion or kind: {Truncate(o.ToJsonString())}");
            }
            if (string.IsNullOrEmpty(o.Name()) && string.IsNullOrEmpty(o.Metadata().GetString("generateName")))
            {
                throw new ComparisonException($"path {src.Path}: {o.Kind()} has no metadata.name");
            }
        }
        _renders[cacheKey] = objects;
        return objects;
    }

    /// <summary>The resource serving the object's kind, and whether the cluster serves it yet.</summary>
    public async Task<(ResourceRef Resource, bool Served)> ResolveAsync(JsonObject obj, IReadOnlyList<JsonObject> all, CancellationToken ct)
    {
        var gvk = obj.Gvk();
        try
        {
            return (await cache.ResolveAsync(gvk, ct), true);
        }
        catch (NoKindMatchException)
        {
            // A kind whose CRD comes with the same application: known once the CRD is applied (an earlier kind-order step).
            var crd = all.FirstOrDefault(c => c.Kind() == "CustomResourceDefinition" && c["spec"]?["group"]?.GetValue<string>() == gvk.Group
                && c["spec"]?["names"]?["kind"]?.GetValue<string>() == gvk.Kind);
            if (crd is null)
            {
                throw new ComparisonException($"the server could not find the requested resource: {gvk.Kind} {obj.Name()} ({gvk.ApiVersion}) is not a known kind");
            }
            var names = crd["spec"]!["names"]!;
            return (new ResourceRef(gvk.Group, gvk.Version, names["plural"]!.GetValue<string>(), gvk.Kind,
                crd["spec"]?["scope"]?.GetValue<string>() != "Cluster"), false);
        }
    }

    private static string Truncate(string s) => s.Length > 120 ? s[..120] + "…" : s;
}

/// <summary>Git and the cluster cannot be compared (fetch, render or resolution failed): reported as ComparisonError.</summary>
public sealed class ComparisonException(string message) : Exception(message);
