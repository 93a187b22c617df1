using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Workloads;

/// <summary>
/// What the kube-controller-manager workload controllers share: one informer for their kind and one for the pods they
/// own (matched by controller ownerReference), requeueing the owner on every change of its pods.
/// </summary>
public abstract class WorkloadController : IReconciler
{
    protected WorkloadController(string name, ResourceRef resource, IKubeClient client, SharedInformers informers, EventRecorder events,
        SimulatorOptions options, TimeProvider clock, ILogger<Controller> logger)
    {
        Client = client;
        Resource = resource;
        Events = events;
        Clock = clock;
        Owners = informers.For(resource);
        PodsInformer = informers.For(Simulation.Resources.Pods);
        Controller = new Controller(name, this, new ControllerOptions { Workers = options.Workers }, logger);
        Controller.Watch(Owners);
        Controller.Watch(PodsInformer, OwnerKeys);
    }

    public Controller Controller { get; }
    protected IKubeClient Client { get; }
    protected ResourceRef Resource { get; }
    protected EventRecorder Events { get; }
    protected TimeProvider Clock { get; }
    protected Informer Owners { get; }
    protected Informer PodsInformer { get; }

    public abstract Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct);

    /// <summary>Keys of the owners of this kind a dependent (pod, or another object) names as its controller.</summary>
    protected IEnumerable<string> OwnerKeys(JsonObject dependent)
    {
        var owner = dependent.ControllerRef();
        return owner is not null && owner.Str("kind") == Resource.Kind
            ? [ObjectKeys.KeyOf(dependent.Str("metadata", "namespace"), owner.Str("name"))]
            : [];
    }

    protected List<JsonObject> OwnedPods(JsonObject owner)
    {
        var uid = owner.Str("metadata", "uid");
        return [.. PodsInformer.List().Where(p => p.ControllerUid() == uid)];
    }

    /// <summary>
    /// Upstream's "expectations": pods this controller created or deleted that its cache does not reflect yet. Until it
    /// does, counting pods in the cache would create (or delete) too many.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (HashSet<string> Created, HashSet<string> Deleted, DateTimeOffset Since)> _expectations = new();

    /// <summary>True when the cache shows every pod create/delete of the owner's last reconcile (or they are overdue).</summary>
    protected bool ExpectationsMet(JsonObject owner)
    {
        var uid = owner.Str("metadata", "uid");
        if (!_expectations.TryGetValue(uid, out var e))
        {
            return true;
        }
        var ns = owner.Str("metadata", "namespace");
        lock (e.Created)
        {
            e.Created.RemoveWhere(n => PodsInformer.Get(ns, n) is not null);
            e.Deleted.RemoveWhere(n => PodsInformer.Get(ns, n) is null);
            if ((e.Created.Count == 0 && e.Deleted.Count == 0) || Clock.GetUtcNow() - e.Since > TimeSpan.FromSeconds(30))
            {
                _expectations.TryRemove(uid, out _);
                return true;
            }
        }
        return false;
    }

    private void Expect(JsonObject owner, string? created, string? deleted)
    {
        var e = _expectations.GetOrAdd(owner.Str("metadata", "uid"), _ => ([], [], Clock.GetUtcNow()));
        lock (e.Created)
        {
            if (created is not null)
            {
                e.Created.Add(created);
            }
            if (deleted is not null)
            {
                e.Deleted.Add(deleted);
            }
        }
    }

    /// <summary>The reconcile result while expectations are pending: look again shortly.</summary>
    protected static ReconcileResult WaitForCache => ReconcileResult.After(TimeSpan.FromMilliseconds(200));

    protected async Task CreatePodAsync(JsonObject owner, JsonObject pod, CancellationToken ct)
    {
        try
        {
            var created = await Client.CreateAsync(Simulation.Resources.Pods, pod, null, ct);
            Expect(owner, created.Str("metadata", "name"), null);
            await Events.NormalAsync(owner, Component, "SuccessfulCreate", $"{CreateVerb} Pod: {created.Str("metadata", "name")}", ct);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
        }
        catch (KubeApiException e)
        {
            await Events.WarningAsync(owner, Component, "FailedCreate", $"Error creating: {e.Message}", ct);
            throw;
        }
    }

    protected async Task DeletePodAsync(JsonObject owner, JsonObject pod, CancellationToken ct)
    {
        if (await Client.DeleteAsync(Simulation.Resources.Pods, pod.Str("metadata", "namespace"), pod.Str("metadata", "name"),
                new DeleteOptions { Uid = pod.Str("metadata", "uid") }, ct))
        {
            Expect(owner, null, pod.Str("metadata", "name"));
            await Events.NormalAsync(owner, Component, "SuccessfulDelete", $"{DeleteVerb} Pod: {pod.Str("metadata", "name")}", ct);
        }
    }

    protected virtual string Component => Controller.Name;
    protected virtual string CreateVerb => "Created";
    protected virtual string DeleteVerb => "Deleted";

    /// <summary>A short stable hash of a pod template (as upstream's ComputeHash: pod-template-hash, controller-revision-hash).</summary>
    public static string TemplateHash(JsonNode? template)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(KubeJson.Serialize(template)));
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var sb = new StringBuilder();
        foreach (var b in bytes.AsSpan(0, 10))
        {
            sb.Append(alphabet[b % alphabet.Length]);
        }
        return sb.ToString();
    }

    /// <summary>Drops zero counters from a status, as the API's omitempty does.</summary>
    protected static JsonObject OmitZero(JsonObject status, params string[] keep)
    {
        foreach (var (k, v) in status.ToList())
        {
            if (v is JsonValue jv && jv.TryGetValue<long>(out var n) && n == 0 && !keep.Contains(k))
            {
                status.Remove(k);
            }
        }
        return status;
    }
}
