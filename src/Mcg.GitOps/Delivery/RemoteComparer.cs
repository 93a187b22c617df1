using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Health;
using Mcg.GitOps.Sync;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Delivery;

/// <summary>
/// An application rendered for a remote cluster: what to deliver, in apply order, and the hash naming it. Hooks are
/// kept apart: they are delivered only by a sync, in their phase, and are not part of the desired state.
/// </summary>
public sealed record RemotePlan(IReadOnlyList<string> Revisions, IReadOnlyList<PlannedObject> Targets, IReadOnlyList<RemoteManifest> Manifests,
    string DesiredHash, IReadOnlyList<PlannedObject> Hooks, string? CreatedNamespace)
{
    /// <summary>The destination namespace <c>CreateNamespace=true</c> adds: delivered first, but not one of the app's resources (as in Argo CD).</summary>
    public JsonObject? NamespaceManifest => CreatedNamespace is null ? null : new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = CreatedNamespace },
    };

    public bool IsCreatedNamespace(string group, string kind, string? name) => group.Length == 0 && kind == "Namespace" && name == CreatedNamespace;
}

/// <summary>
/// Git says X, the managed cluster reports Y. The render is the hub's shared, cached one (rendered once per
/// repository, revision, path and options whatever the number of clusters); the live side is the cluster's report
/// (per-manifest Applied conditions and the fed-back <c>status</c>), judged by the same health checks as local apps.
/// </summary>
public sealed class RemoteComparer(AppComparer comparer, HealthAssessor health)
{
    private readonly HashSet<(string Group, string Kind)> _assessed = health.Kinds.ToHashSet();

    /// <summary>Renders and prepares the manifests: default namespace, tracking id, ordered by wave then kind; hooks apart.</summary>
    public async Task<RemotePlan> PlanAsync(JsonObject app, ApplicationSpec spec, IReadOnlyList<ApplicationSource> sources, string? revision, CancellationToken ct)
    {
        var (revisions, rendered) = await comparer.RenderAsync(sources, revision, ct);
        var targets = new List<PlannedObject>();
        var hooks = new List<PlannedObject>();
        var keys = new HashSet<string>();
        foreach (var raw in rendered)
        {
            var obj = (JsonObject)raw.DeepClone();
            var resource = await ResolveAsync(obj, rendered, ct);
            if (resource.Namespaced && string.IsNullOrEmpty(obj.Namespace()))
            {
                obj.Metadata()["namespace"] = spec.Destination.Namespace.Length > 0 ? spec.Destination.Namespace : "default";
            }
            else if (!resource.Namespaced)
            {
                obj.Metadata().Remove("namespace");
            }
            if (SyncTask.HookTypesOf(obj).Count > 0)
            {
                // As on the hub, hooks carry no tracking id; a generateName hook gets its name when a sync creates it.
                if (obj.Name() is not null && !keys.Add(AppComparer.Key(resource, obj)))
                {
                    throw new ComparisonException($"resource {resource.Kind} {obj.Namespace()}/{obj.Name()} appeared 2 times among application resources");
                }
                hooks.Add(new PlannedObject(resource, obj));
                continue;
            }
            if (obj.Name() is null)
            {
                throw new ComparisonException($"{obj.Kind()} with generateName cannot be delivered to a managed cluster (only hooks may use generateName)");
            }
            ResourceTracking.Stamp(obj, app.Name()!);
            if (!keys.Add(AppComparer.Key(resource, obj)))
            {
                throw new ComparisonException($"resource {resource.Kind} {obj.Namespace()}/{obj.Name()} appeared 2 times among application resources");
            }
            targets.Add(new PlannedObject(resource, obj));
        }
        var ordered = targets.OrderBy(t => SyncTask.WaveOf(t.Object)).ThenBy(t => KindOrder.Of(t.Resource.Kind)).ThenBy(t => t.Object.Name(), StringComparer.Ordinal).ToList();
        var createNamespace = spec.SyncPolicy.Has("CreateNamespace=true") && spec.Destination.Namespace.Length > 0
            && !ordered.Any(t => t.Resource.Kind == "Namespace" && t.Resource.Group.Length == 0 && t.Object.Name() == spec.Destination.Namespace);
        // Live status is fed back only for kinds the health checks read: a ConfigMap's costs the hub nothing.
        var manifests = ordered.Select(t => ManifestOf(t)).ToList();
        return new RemotePlan(revisions, ordered, manifests, Hash(ordered.Select(t => t.Object)), hooks, createNamespace ? spec.Destination.Namespace : null);
    }

    /// <summary>
    /// Synced when the cluster has processed the published spec, that spec is this render, and every manifest applied;
    /// what the cluster still holds but Git no longer lists (kept because pruning is off) requires pruning.
    /// </summary>
    public Comparison Compare(RemotePlan plan, RemoteObservation? observed)
    {
        var upToDate = observed is not null && observed.Current && observed.DesiredHash == plan.DesiredHash;
        var states = new List<ResourceState>();
        var keys = new HashSet<string>();
        foreach (var t in plan.Targets)
        {
            keys.Add(Key(t.Resource.Group, t.Resource.Kind, t.Object.Namespace(), t.Object.Name()));
            var reported = Find(observed, t.Resource.Group, t.Resource.Kind, t.Object.Namespace(), t.Object.Name());
            var live = reported is { Applied: true } ? LiveOf(reported, t.Object) : null;
            var synced = upToDate && live is not null;
            states.Add(new ResourceState(t, live, synced, false, live is null ? null : health.Assess(live), false));
        }
        var prunable = new List<PlannedObject>();
        var hooks = DeliveredHooks(observed);
        foreach (var r in observed?.Resources ?? [])
        {
            var key = Key(r.Group, r.Kind, r.Namespace, r.Name);
            if (keys.Contains(key) || hooks.Contains(key) || plan.IsCreatedNamespace(r.Group, r.Kind, r.Name))
            {
                continue;
            }
            var obj = new JsonObject
            {
                ["apiVersion"] = r.Group.Length > 0 ? $"{r.Group}/{r.Version}" : r.Version,
                ["kind"] = r.Kind,
                ["metadata"] = new JsonObject { ["name"] = r.Name, ["namespace"] = r.Namespace.Length > 0 ? r.Namespace : null },
            };
            var planned = new PlannedObject(new Kube.Client.ResourceRef(r.Group, r.Version, "", r.Kind, r.Namespace.Length > 0), obj);
            prunable.Add(planned);
            var live = r.Applied ? LiveOf(r, obj) : null;
            states.Add(new ResourceState(planned, live ?? obj, false, true, live is null ? null : health.Assess(live), false));
        }
        return new Comparison(plan.Revisions, plan.Targets, prunable, states);
    }

    /// <summary>The delivered manifests Git no longer lists: kept in the delivery while pruning is off, so the cluster keeps them.</summary>
    public static IReadOnlyList<RemoteManifest> Retained(RemotePlan plan, RemoteObservation? observed)
    {
        var wanted = plan.Targets.Select(t => Key(t.Resource.Group, t.Resource.Kind, t.Object.Namespace(), t.Object.Name())).ToHashSet();
        var retained = new List<RemoteManifest>();
        foreach (var m in observed?.Delivered ?? [])
        {
            var gvk = m.Gvk();
            if (wanted.Contains(Key(gvk.Group, gvk.Kind, m.Namespace(), m.Name())) || plan.IsCreatedNamespace(gvk.Group, gvk.Kind, m.Name())
                || SyncTask.HookTypesOf(m).Count > 0)
            {
                continue;
            }
            retained.Add(new RemoteManifest((JsonObject)m.DeepClone(), GuessResource(gvk.Kind), false));
        }
        return retained;
    }

    /// <summary>A manifest to deliver; its live status comes back only for kinds the health checks read (a ConfigMap's costs the hub nothing).</summary>
    public RemoteManifest ManifestOf(PlannedObject planned) =>
        new(planned.Object, planned.Resource.Resource, _assessed.Contains((planned.Resource.Group, planned.Resource.Kind)));

    /// <summary>The health of a delivered object as its cluster reports it (null: its kind has no check, or it is not applied).</summary>
    public HealthStatus? HealthOf(RemoteResource reported, JsonObject target) => reported.Applied ? health.Assess(LiveOf(reported, target)) : null;

    /// <summary>The keys (<see cref="KeyOf"/>) of the hooks a delivery holds: not app resources, never pruned as such.</summary>
    public static HashSet<string> DeliveredHooks(RemoteObservation? observed) =>
        (observed?.Delivered ?? []).Where(m => SyncTask.HookTypesOf(m).Count > 0).Select(KeyOf).ToHashSet();

    /// <summary>Identifies a manifest within a delivery: group, kind, namespace and name.</summary>
    public static string KeyOf(JsonObject obj) => Key(obj.Gvk().Group, obj.Gvk().Kind, obj.Namespace(), obj.Name());

    /// <summary>The same key for a reported resource.</summary>
    public static string KeyOf(RemoteResource r) => Key(r.Group, r.Kind, r.Namespace, r.Name);

    /// <summary>The live object as far as the cluster fed it back (identity, generation, replicas, status).</summary>
    private static JsonObject LiveOf(RemoteResource reported, JsonObject target)
    {
        var live = reported.Live?.DeepClone() as JsonObject ?? new JsonObject();
        live["apiVersion"] = target.ApiVersion();
        live["kind"] = target.Kind();
        var meta = live["metadata"] as JsonObject ?? new JsonObject();
        meta["name"] = target.Name();
        if (target.Namespace() is { } ns)
        {
            meta["namespace"] = ns;
        }
        if (target.Metadata()["annotations"] is JsonObject annotations)
        {
            meta["annotations"] = annotations.DeepClone();
        }
        live["metadata"] = meta;
        return live;
    }

    private static RemoteResource? Find(RemoteObservation? observed, string group, string kind, string? ns, string? name) =>
        observed?.Resources.FirstOrDefault(r => r.Group == group && r.Kind == kind && r.Name == name && r.Namespace == (ns ?? ""));

    private static string Key(string group, string kind, string? ns, string? name) => $"{group}/{kind}/{ns ?? ""}/{name}";

    /// <summary>
    /// The resource serving a kind: the hub's discovery when it serves the kind, the CRD in the same render, else
    /// Kubernetes' own guess (lower-case plural, namespaced) — the managed cluster's discovery decides in the end.
    /// </summary>
    private async Task<Kube.Client.ResourceRef> ResolveAsync(JsonObject obj, IReadOnlyList<JsonObject> all, CancellationToken ct)
    {
        try
        {
            return (await comparer.ResolveAsync(obj, all, ct)).Resource;
        }
        catch (ComparisonException)
        {
            var gvk = obj.Gvk();
            return new Kube.Client.ResourceRef(gvk.Group, gvk.Version, GuessResource(gvk.Kind), gvk.Kind, true);
        }
    }

    /// <summary>As apimachinery's UnsafeGuessKindToResource.</summary>
    public static string GuessResource(string kind)
    {
        var lower = kind.ToLowerInvariant();
        if (lower.EndsWith('s'))
        {
            return lower + "es";
        }
        if (lower.EndsWith('y') && lower.Length > 1 && !"aeiou".Contains(lower[^2]))
        {
            return lower[..^1] + "ies";
        }
        return lower + "s";
    }

    /// <summary>A short hash naming a list of manifests (their JSON, in order).</summary>
    public static string Hash(IEnumerable<JsonObject> objects)
    {
        var text = new StringBuilder();
        foreach (var o in objects)
        {
            text.Append(o.ToJsonString()).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }
}
