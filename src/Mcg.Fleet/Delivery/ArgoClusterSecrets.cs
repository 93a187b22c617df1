using System.Text;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Fleet.Delivery;

/// <summary>
/// Keeps one Argo CD cluster Secret per ManagedCluster in the Argo CD namespace, as ACM's GitOpsCluster does
/// (<c>&lt;cluster&gt;-application-manager-cluster-secret</c>, labelled <c>argocd.argoproj.io/secret-type: cluster</c> and
/// <c>apps.open-cluster-management.io/acm-cluster: "true"</c>, with the cluster's labels copied), so Applications can
/// name managed clusters and ApplicationSet's <c>clusters</c> and <c>clusterDecisionResource</c> generators find them.
/// The Secret holds no credential: the hub never talks to managed clusters, their agents pull.
/// </summary>
public sealed class ArgoClusterSecrets : IReconciler
{
    public const string SecretTypeLabel = "argocd.argoproj.io/secret-type";
    public const string AcmClusterLabel = "apps.open-cluster-management.io/acm-cluster";
    public const string ClusterNameLabel = "apps.open-cluster-management.io/cluster-name";
    private const string FieldManager = "mcg-gitops-cluster";

    private readonly IKubeClient _hub;
    private readonly string _argoNamespace;
    private readonly Informer _clusters;
    private readonly Informer _secrets;
    private readonly KubeController _controller;

    public ArgoClusterSecrets(IKubeClient hub, string argoNamespace, ILoggerFactory loggers)
    {
        _hub = hub;
        _argoNamespace = argoNamespace;
        _clusters = new Informer(hub, OcmCrds.ManagedClusters, new InformerOptions(), loggers.CreateLogger<Informer>());
        _secrets = new Informer(hub, ResourceRef.Secrets, new InformerOptions { Namespace = argoNamespace, LabelSelector = $"{AcmClusterLabel}=true" }, loggers.CreateLogger<Informer>());
        _controller = new KubeController("argo-cluster-secrets", this, new ControllerOptions { Workers = 2 }, loggers.CreateLogger<KubeController>());
        _controller.Watch(_clusters);
        _secrets.AddEventHandler(new InformerEventHandler
        {
            Updated = (_, s) => EnqueueOwner(s),
            Deleted = EnqueueOwner,
        });
    }

    public static string SecretName(string cluster) => $"{cluster}-application-manager-cluster-secret";

    /// <summary>The server URL the Secret advertises: the cluster's own API URL when its agent reported one.</summary>
    public static string ServerOf(JsonObject cluster) =>
        cluster["spec"]?["managedClusterClientConfigs"]?[0]?["url"]?.GetValue<string>() is { Length: > 0 } url ? url.TrimEnd('/') : $"https://{cluster.Name()}.managed-cluster.local";

    /// <summary>
    /// The ConfigMap ACM's GitOps integration provides for ApplicationSet's <c>clusterDecisionResource</c> generator:
    /// PlacementDecisions, their <c>status.decisions</c> list, matched on <c>clusterName</c>.
    /// </summary>
    public static JsonObject PlacementConfigMap(string ns) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "acm-placement", ["namespace"] = ns },
        ["data"] = new JsonObject
        {
            ["apiVersion"] = "cluster.open-cluster-management.io/v1beta1",
            ["kind"] = "placementdecisions",
            ["statusListKey"] = "decisions",
            ["matchKey"] = "clusterName",
        },
    };

    public async Task RunAsync(CancellationToken ct)
    {
        await ClusterJoin.EnsureNamespaceAsync(_hub, _argoNamespace, ct);
        await _hub.ApplyAsync(ResourceRef.ConfigMaps, PlacementConfigMap(_argoNamespace), new ApplyOptions(FieldManager) { Force = true }, ct);
        var informers = Task.WhenAll(_clusters.RunAsync(ct), _secrets.RunAsync(ct));
        await Task.WhenAll(_clusters.WaitForSyncAsync(ct), _secrets.WaitForSyncAsync(ct));
        foreach (var secret in _secrets.List())
        {
            EnqueueOwner(secret); // Secrets of clusters deleted while the hub was down
        }
        await Task.WhenAll(informers, _controller.RunAsync(ct));
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var (_, name) = ObjectKeys.Split(key);
        var cluster = _clusters.Get(null, name);
        if (cluster is null || cluster.Metadata()["deletionTimestamp"] is not null)
        {
            if (_secrets.Get(_argoNamespace, SecretName(name)) is not null)
            {
                try
                {
                    await _hub.DeleteAsync(ResourceRef.Secrets, _argoNamespace, SecretName(name), null, ct);
                }
                catch (KubeApiException e) when (e.IsNotFound)
                {
                }
            }
            return ReconcileResult.Done;
        }
        var labels = new JsonObject();
        foreach (var (k, v) in cluster.Labels())
        {
            labels[k] = v;
        }
        labels[SecretTypeLabel] = "cluster";
        labels[AcmClusterLabel] = "true";
        labels[ClusterNameLabel] = name;
        var desired = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = SecretName(name), ["namespace"] = _argoNamespace, ["labels"] = labels },
            ["type"] = "Opaque",
            ["data"] = new JsonObject
            {
                ["name"] = Base64(name),
                ["server"] = Base64(ServerOf(cluster)),
                ["config"] = Base64("{\"tlsClientConfig\":{\"insecure\":false}}"),
            },
        };
        var current = _secrets.Get(_argoNamespace, SecretName(name));
        if (current is null || !JsonNode.DeepEquals(current["data"], desired["data"]) || !JsonNode.DeepEquals(current.Metadata()["labels"], labels))
        {
            await _hub.ApplyAsync(ResourceRef.Secrets, desired, new ApplyOptions(FieldManager) { Force = true }, ct);
        }
        return ReconcileResult.Done;
    }

    private void EnqueueOwner(JsonObject secret)
    {
        if (secret.Labels().GetValueOrDefault(ClusterNameLabel) is { } cluster)
        {
            _controller.Enqueue(ObjectKeys.KeyOf(null, cluster));
        }
    }

    private static string Base64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
