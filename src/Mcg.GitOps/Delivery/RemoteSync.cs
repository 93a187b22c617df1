using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Sync;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Delivery;

/// <summary>
/// One sync attempt of an application on a managed cluster: deliver the render (plus, without prune, what Git
/// dropped but the cluster still holds) and wait until the cluster reports it applied. Waves order the manifests
/// inside the delivery; the cluster applies them in one pass, so a wave does not wait for the previous one's health,
/// and hooks are not run (both documented simplifications of remote delivery).
/// </summary>
public sealed class RemoteSync(RemoteDestinations remote, TimeProvider clock, TimeSpan pollInterval)
{
    public async Task<(SyncResult Result, IReadOnlyList<string> Revisions)> AttemptAsync(JsonObject app, ApplicationSpec spec, SyncOperation op,
        IReadOnlyList<ApplicationSource> sources, string cluster, AppProjectPolicy project, Func<string, Task> progress, CancellationToken ct)
    {
        var plan = await remote.Comparer.PlanAsync(app, spec, sources, op.Revision, ct);
        foreach (var t in plan.Targets)
        {
            if (project.CheckResource(t.Resource.Group, t.Resource.Kind, t.Resource.Namespaced) is { } denied)
            {
                return (new SyncResult(OperationPhase.Failed, denied, []), plan.Revisions);
            }
        }
        var key = new RemoteAppKey(app.Namespace() ?? "", app.Name()!);
        var before = remote.Delivery.Observe(cluster, key);
        var manifests = new List<RemoteManifest>();
        if (plan.NamespaceManifest is { } ns)
        {
            manifests.Add(new RemoteManifest(ns, "namespaces", false));
        }
        manifests.AddRange(plan.Manifests);
        var pruned = RemoteComparer.Retained(plan, before);
        if (!op.Prune)
        {
            manifests.AddRange(pruned);
        }
        var results = plan.Targets.Select(t => Result(t.Object, t.Resource.Version, "Synced", $"delivered to cluster {cluster}")).ToList();
        if (op.Prune)
        {
            results.AddRange(pruned.Select(p => Result(p.Object, p.Object.Gvk().Version, "Pruned", "pruned")));
        }
        if (op.DryRun)
        {
            return (new SyncResult(OperationPhase.Succeeded, "successfully synced (dry run)", results), plan.Revisions);
        }

        await remote.Delivery.PublishAsync(new RemotePublication(cluster, key, string.Join(",", plan.Revisions), plan.DesiredHash, manifests), ct);
        var deadline = clock.GetUtcNow() + remote.Options.ApplyTimeout;
        var reported = false;
        while (true)
        {
            var observed = remote.Delivery.Observe(cluster, key);
            if (observed is { Current: true } && observed.DesiredHash == plan.DesiredHash)
            {
                var failed = observed.Resources.Where(r => !r.Applied).ToList();
                if (failed.Count > 0)
                {
                    var failures = failed.Select(f => Result(new JsonObject
                    {
                        ["kind"] = f.Kind,
                        ["apiVersion"] = f.Group.Length > 0 ? $"{f.Group}/{f.Version}" : f.Version,
                        ["metadata"] = new JsonObject { ["name"] = f.Name, ["namespace"] = f.Namespace },
                    }, f.Version, "SyncFailed", f.Message ?? "not applied")).ToList();
                    return (new SyncResult(OperationPhase.Failed,
                        $"cluster {cluster} failed to apply {failed.Count} resource(s): {string.Join("; ", failed.Select(f => $"{f.Kind} {f.Name}: {f.Message}"))}", failures), plan.Revisions);
                }
                return (new SyncResult(OperationPhase.Succeeded, $"successfully synced (delivered to cluster {cluster})", results), plan.Revisions);
            }
            if (clock.GetUtcNow() > deadline)
            {
                return (new SyncResult(OperationPhase.Failed, $"timed out after {remote.Options.ApplyTimeout.TotalSeconds:0}s waiting for cluster {cluster} to apply the delivered manifests", results), plan.Revisions);
            }
            if (!reported)
            {
                reported = true;
                await progress($"waiting for cluster {cluster} to apply {manifests.Count} manifest(s)");
            }
            await Task.Delay(pollInterval, clock, ct);
        }
    }

    private static ResourceResult Result(JsonObject obj, string version, string status, string message)
    {
        var gvk = obj.Gvk();
        return new ResourceResult(gvk.Group, version, gvk.Kind, obj.Namespace() ?? "", obj.Name() ?? "", status, message, SyncPhase.Sync);
    }
}
