using System.Text;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>The API server URL and CA (PEM) of a kubeconfig's current context: what Vault's Kubernetes auth needs to review tokens.</summary>
public sealed record KubeconfigEndpoint(string Server, string CaPem)
{
    public static KubeconfigEndpoint Read(string kubeconfigPath)
    {
        var config = YamlJson.Parse(File.ReadAllText(kubeconfigPath), kubeconfigPath) as JsonObject
            ?? throw new InvalidOperationException($"{kubeconfigPath}: not a kubeconfig");
        var contextName = config.GetString("current-context");
        var context = (config["contexts"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => contextName is null || c.GetString("name") == contextName)?["context"] as JsonObject;
        var clusterName = context?.GetString("cluster");
        var cluster = (config["clusters"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => clusterName is null || c.GetString("name") == clusterName)?["cluster"] as JsonObject
            ?? throw new InvalidOperationException($"{kubeconfigPath}: no cluster for context \"{contextName}\"");
        var server = cluster.GetString("server") ?? throw new InvalidOperationException($"{kubeconfigPath}: clusters[{clusterName}].cluster.server is missing");
        var ca = cluster.GetString("certificate-authority-data") is { Length: > 0 } data
            ? Encoding.UTF8.GetString(Convert.FromBase64String(data))
            : cluster.GetString("certificate-authority") is { Length: > 0 } file
                ? File.ReadAllText(Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath))!, file))
                : "";
        return new KubeconfigEndpoint(server, ca);
    }
}
