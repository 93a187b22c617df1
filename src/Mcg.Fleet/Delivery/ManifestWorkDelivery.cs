using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Delivery;

/// <summary>Names the owner of a delivered ManifestWork (an Argo CD Application, by namespace and name).</summary>
public sealed record WorkOwner(string Namespace, string Name);

/// <summary>A manifest to deliver, the plural resource serving its kind (the key of feedback rules), and whether to feed its status back.</summary>
public sealed record WorkManifest(JsonObject Object, string Resource, bool Feedback);

/// <summary>What a ManifestWork's status says; <c>Current</c> when the agent reported on the latest generation.</summary>
public sealed record WorkObservation(string? Revision, string? DesiredHash, bool Current, IReadOnlyList<JsonObject> Manifests, IReadOnlyList<WorkResource> Resources, string? Message);

/// <summary>One manifest's report: Applied or not (with the reason), and the fed-back live fields.</summary>
public sealed record WorkResource(string Group, string Version, string Kind, string Namespace, string Name, bool Applied, string? Message, JsonObject? Live);

/// <summary>
/// Delivers rendered applications as ManifestWorks in managed cluster namespaces on the hub, as ACM's pull model does:
/// one ManifestWork per (application, cluster), <c>deleteOption: Foreground</c>, and for each manifest whose health the
/// hub judges a JSONPaths feedback rule bringing back <c>.status</c>, <c>.metadata.generation</c> and <c>.spec.replicas</c>,
/// so the hub can run its own health checks on them. Reads status from an informer over the hub's ManifestWorks.
/// </summary>
public sealed class ManifestWorkDelivery
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "mcg-application-controller";
    public const string OwnerAnnotation = "apps.mcg.io/application";
    public const string RevisionAnnotation = "apps.mcg.io/revision";
    public const string HashAnnotation = "apps.mcg.io/desired-hash";
    public const string FieldManager = "mcg-application-delivery";

    private readonly IKubeClient _hub;
    private readonly Informer _works;
    private readonly Informer _clusters;

    public ManifestWorkDelivery(IKubeClient hub, ILoggerFactory loggers)
    {
        _hub = hub;
        _works = new Informer(hub, OcmCrds.ManifestWorks,
            new InformerOptions { LabelSelector = $"{ManagedByLabel}={ManagedByValue}", Transform = KeepObserved }, loggers.CreateLogger<Informer>());
        _clusters = new Informer(hub, OcmCrds.ManagedClusters, new InformerOptions(), loggers.CreateLogger<Informer>());
        _works.AddEventHandler(new InformerEventHandler
        {
            Added = Notify,
            Updated = (_, w) => Notify(w),
            Deleted = Notify,
        });
    }

    /// <summary>Raised with the owner of a ManifestWork that changed.</summary>
    public event Action<WorkOwner>? Changed;

    /// <summary>The ManifestWork name for an owner: unique per application across namespaces, valid as a DNS subdomain.</summary>
    public static string WorkName(WorkOwner owner) => $"{owner.Namespace}.{owner.Name}";

    /// <summary>Starts the informers in the background (until <paramref name="ct"/>) and waits until both are filled.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await OcmCrds.InstallAsync(_hub, OcmCrds.Hub, ct);
        _ = Task.Run(() => _works.RunAsync(ct), ct);
        _ = Task.Run(() => _clusters.RunAsync(ct), ct);
        await Task.WhenAll(_works.WaitForSyncAsync(ct), _clusters.WaitForSyncAsync(ct));
    }

    public bool Knows(string cluster) => _clusters.Get(null, cluster) is not null;

    public async Task PublishAsync(string cluster, WorkOwner owner, string revision, string desiredHash, IReadOnlyList<WorkManifest> manifests, CancellationToken ct)
    {
        var configs = new JsonArray();
        foreach (var m in manifests.Where(m => m.Feedback))
        {
            var gvk = m.Object.Gvk();
            configs.Add(new JsonObject
            {
                ["resourceIdentifier"] = new JsonObject
                {
                    ["group"] = gvk.Group,
                    ["resource"] = m.Resource,
                    ["name"] = m.Object.Name(),
                    ["namespace"] = m.Object.Namespace() ?? "",
                },
                ["feedbackRules"] = new JsonArray(new JsonObject
                {
                    ["type"] = "JSONPaths",
                    ["jsonPaths"] = new JsonArray(
                        new JsonObject { ["name"] = "status", ["path"] = ".status" },
                        new JsonObject { ["name"] = "generation", ["path"] = ".metadata.generation" },
                        new JsonObject { ["name"] = "replicas", ["path"] = ".spec.replicas" }),
                }),
                ["updateStrategy"] = new JsonObject { ["type"] = "ServerSideApply", ["serverSideApply"] = new JsonObject { ["force"] = true, ["fieldManager"] = "work-agent" } },
            });
        }
        var spec = new JsonObject
        {
            ["workload"] = new JsonObject { ["manifests"] = new JsonArray(manifests.Select(m => (JsonNode)m.Object.DeepClone()).ToArray()) },
            ["deleteOption"] = new JsonObject { ["propagationPolicy"] = "Foreground" },
        };
        if (configs.Count > 0)
        {
            spec["manifestConfigs"] = configs;
        }
        var work = new JsonObject
        {
            ["apiVersion"] = OcmCrds.ManifestWorks.ApiVersion,
            ["kind"] = "ManifestWork",
            ["metadata"] = new JsonObject
            {
                ["name"] = WorkName(owner),
                ["namespace"] = cluster,
                ["labels"] = new JsonObject { [ManagedByLabel] = ManagedByValue },
                ["annotations"] = new JsonObject
                {
                    [OwnerAnnotation] = $"{owner.Namespace}/{owner.Name}",
                    [RevisionAnnotation] = revision,
                    [HashAnnotation] = desiredHash,
                },
            },
            ["spec"] = spec,
        };
        await _hub.ApplyAsync(OcmCrds.ManifestWorks, work, new ApplyOptions(FieldManager) { Force = true }, ct);
    }

    public WorkObservation? Observe(string cluster, WorkOwner owner)
    {
        var work = _works.Get(cluster, WorkName(owner));
        if (work is null)
        {
            return null;
        }
        var generation = work.Metadata()["generation"]?.GetValue<long>();
        var applied = (work["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Applied");
        var current = applied is not null && generation is not null && applied["observedGeneration"]?.GetValue<long>() == generation
            && work.Metadata()["deletionTimestamp"] is null;
        var resources = new List<WorkResource>();
        foreach (var m in (work["status"]?["resourceStatus"]?["manifests"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var meta = m["resourceMeta"] as JsonObject ?? new JsonObject();
            var appliedCondition = (m["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Applied");
            resources.Add(new WorkResource(meta.GetString("group") ?? "", meta.GetString("version") ?? "v1", meta.GetString("kind") ?? "",
                meta.GetString("namespace") ?? "", meta.GetString("name") ?? "", appliedCondition?.GetString("status") == "True",
                appliedCondition?.GetString("message"), LiveFields(m["statusFeedback"])));
        }
        var manifests = (work["spec"]?["workload"]?["manifests"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        return new WorkObservation(work.Annotations().GetValueOrDefault(RevisionAnnotation), work.Annotations().GetValueOrDefault(HashAnnotation),
            current, manifests, resources, applied?.GetString("status") == "False" ? applied.GetString("message") : null);
    }

    /// <summary>Deletes the work; with <paramref name="orphan"/> the agent leaves what it applied on the cluster.</summary>
    public async Task WithdrawAsync(string cluster, WorkOwner owner, bool orphan, CancellationToken ct)
    {
        var name = WorkName(owner);
        try
        {
            if (orphan)
            {
                await _hub.PatchAsync(OcmCrds.ManifestWorks, cluster, name, PatchType.Merge,
                    new JsonObject { ["spec"] = new JsonObject { ["deleteOption"] = new JsonObject { ["propagationPolicy"] = "Orphan" } } }, null, ct);
            }
            await _hub.DeleteAsync(OcmCrds.ManifestWorks, cluster, name, null, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
        }
    }

    /// <summary>Whether a work of this owner exists on any cluster, including one being deleted.</summary>
    public bool Exists(WorkOwner owner) => _works.List().Any(w => OwnerOf(w) == owner);

    /// <summary>Every delivered work that is not already being deleted, with its owner.</summary>
    public IEnumerable<(string Cluster, WorkOwner Owner)> Published()
    {
        foreach (var work in _works.List())
        {
            if (work.Metadata()["deletionTimestamp"] is null && OwnerOf(work) is { } owner)
            {
                yield return (work.Namespace()!, owner);
            }
        }
    }

    private void Notify(JsonObject work)
    {
        if (OwnerOf(work) is { } owner)
        {
            Changed?.Invoke(owner);
        }
    }

    private static WorkOwner? OwnerOf(JsonObject work)
    {
        var value = work.Annotations().GetValueOrDefault(OwnerAnnotation);
        var slash = value?.IndexOf('/') ?? -1;
        return slash < 0 ? null : new WorkOwner(value![..slash], value[(slash + 1)..]);
    }

    /// <summary>
    /// What the cache keeps of a work: all but its managedFields and, per manifest, the conditions other than Applied and
    /// their reasons and times, which <see cref="Observe"/> does not read (a work of 20 manifests parsed whole is ~160 KB;
    /// the hub caches one per application and cluster).
    /// </summary>
    private static JsonObject KeepObserved(JsonObject work)
    {
        InformerTransforms.StripManagedFields(work);
        foreach (var m in (work["status"]?["resourceStatus"]?["manifests"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (m["conditions"] is not JsonArray conditions)
            {
                continue;
            }
            for (var i = conditions.Count - 1; i >= 0; i--)
            {
                if (conditions[i] is JsonObject c && c.GetString("type") == "Applied")
                {
                    c.Remove("lastTransitionTime");
                    c.Remove("reason");
                }
                else
                {
                    conditions.RemoveAt(i);
                }
            }
        }
        return work;
    }

    /// <summary>Rebuilds the live fields from the feedback values (status as raw JSON, generation and replicas as integers).</summary>
    public static JsonObject? LiveFields(JsonNode? feedback)
    {
        if (feedback?["values"] is not JsonArray values || values.Count == 0)
        {
            return null;
        }
        var live = new JsonObject();
        foreach (var v in values.OfType<JsonObject>())
        {
            var field = v["fieldValue"] as JsonObject;
            JsonNode? value = field?.GetString("type") switch
            {
                "JsonRaw" => JsonNode.Parse(field.GetString("jsonRaw") ?? "null"),
                "Integer" => field["integer"]?.DeepClone(),
                "Boolean" => field["boolean"]?.DeepClone(),
                _ => field?["string"]?.DeepClone(),
            };
            switch (v.GetString("name"))
            {
                case "status":
                    live["status"] = value;
                    break;
                case "generation":
                    live["metadata"] = new JsonObject { ["generation"] = value };
                    break;
                case "replicas":
                    live["spec"] = new JsonObject { ["replicas"] = value };
                    break;
            }
        }
        return live;
    }
}
