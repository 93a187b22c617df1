using System.Text;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.GitOps.Delivery;

/// <summary>One Argo CD cluster: its name, API server URL and the labels/annotations of its Secret.</summary>
public sealed record ArgoCluster(string Name, string Server, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public static readonly ArgoCluster InCluster = new("in-cluster", ApplicationDestination.InClusterServer, new Dictionary<string, string>(), new Dictionary<string, string>());
}

/// <summary>
/// Argo CD's cluster list: Secrets labelled <c>argocd.argoproj.io/secret-type: cluster</c> in the control namespace
/// (data <c>name</c>, <c>server</c>), plus the implicit <c>in-cluster</c>. Destinations resolve through it as in Argo CD.
/// </summary>
public sealed class ClusterSecrets
{
    public const string SecretTypeLabel = "argocd.argoproj.io/secret-type";

    private readonly Informer _secrets;

    public ClusterSecrets(IKubeClient client, string controlNamespace, ILoggerFactory loggers)
    {
        _secrets = new Informer(client, ResourceRef.Secrets,
            new InformerOptions { Namespace = controlNamespace, LabelSelector = $"{SecretTypeLabel}=cluster" }, loggers.CreateLogger<Informer>());
    }

    public Informer Informer => _secrets;

    /// <summary>Every known cluster, in-cluster first unless a Secret redefines it.</summary>
    public IReadOnlyList<ArgoCluster> List()
    {
        var clusters = _secrets.List().Select(FromSecret).OfType<ArgoCluster>().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (!clusters.Any(c => c.Server == ApplicationDestination.InClusterServer))
        {
            clusters.Insert(0, ArgoCluster.InCluster);
        }
        return clusters;
    }

    /// <summary>The cluster a destination names (by <c>name</c> or <c>server</c>), or null when Argo CD would not know it.</summary>
    public ArgoCluster? Resolve(ApplicationDestination destination) =>
        destination.Name is { } name
            ? List().FirstOrDefault(c => c.Name == name)
            : List().FirstOrDefault(c => c.Server == (destination.Server ?? ApplicationDestination.InClusterServer));

    public static ArgoCluster? FromSecret(JsonObject secret)
    {
        var name = Field(secret, "name");
        var server = Field(secret, "server");
        if (string.IsNullOrEmpty(server))
        {
            return null;
        }
        return new ArgoCluster(string.IsNullOrEmpty(name) ? server : name, server.TrimEnd('/'), secret.Labels(), secret.Annotations());
    }

    private static string? Field(JsonObject secret, string key)
    {
        if (secret["data"]?[key]?.GetValue<string>() is { } encoded)
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        return secret["stringData"]?[key]?.GetValue<string>();
    }
}
