using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>Finds the store an ExternalSecret names (from the informer caches) and checks a ClusterSecretStore's namespace conditions.</summary>
public sealed class StoreResolver(IKubeClient kube, Informer secretStores, Informer clusterSecretStores)
{
    public async Task<(JsonObject Store, VaultStoreSpec Spec)> ResolveAsync(string esNamespace, ExternalSecretSpec spec, CancellationToken ct)
    {
        var cluster = spec.StoreKind == "ClusterSecretStore";
        var store = cluster ? clusterSecretStores.Get(null, spec.StoreName) : secretStores.Get(esNamespace, spec.StoreName);
        if (store is null)
        {
            throw new InvalidOperationException(cluster
                ? $"ClusterSecretStore \"{spec.StoreName}\" not found"
                : $"SecretStore \"{spec.StoreName}\" not found in namespace \"{esNamespace}\"");
        }
        var parsed = VaultStoreSpec.Parse(store);
        if (cluster && (parsed.AllowedNamespaces.Count > 0 || parsed.AllowedNamespaceSelectors.Count > 0))
        {
            var allowed = parsed.AllowedNamespaces.Contains(esNamespace);
            if (!allowed && parsed.AllowedNamespaceSelectors.Count > 0)
            {
                var labels = (await kube.GetAsync(ResourceRef.Namespaces, null, esNamespace, ct))?.Labels() ?? new Dictionary<string, string>();
                allowed = parsed.AllowedNamespaceSelectors.Any(s => s.Matches(labels));
            }
            if (!allowed)
            {
                throw new InvalidOperationException($"using cluster store \"{spec.StoreName}\" is not allowed from namespace \"{esNamespace}\": denied by spec.condition");
            }
        }
        return (store, parsed);
    }

    /// <summary>The keys of the ExternalSecrets in the cache that use a store.</summary>
    public static IEnumerable<string> UsersOf(Informer externalSecrets, JsonObject store)
    {
        var clusterStore = store.Kind() == EsoResources.ClusterSecretStores.Kind;
        foreach (var es in externalSecrets.List())
        {
            var reference = es["spec"]?["secretStoreRef"] as JsonObject;
            var kind = reference?.GetString("kind") ?? "SecretStore";
            var name = reference?.GetString("name");
            if (name == store.Name() && (clusterStore ? kind == "ClusterSecretStore" : kind == "SecretStore" && es.Namespace() == store.Namespace()))
            {
                yield return ObjectKeys.KeyOf(es);
            }
        }
    }
}
