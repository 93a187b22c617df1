using System.Text.Json.Nodes;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Mcg.Patterns.Values;

namespace Mcg.Cli.Install;

/// <summary>
/// What the patterns' <c>validate_prereq</c>, <c>validate_cluster</c> and <c>validate_origin</c> check before an install:
/// the API answers, a default StorageClass exists (Vault and stateful apps need one), the repository is readable at the
/// revision, and <c>values-global.yaml</c> names the pattern and an existing cluster group.
/// </summary>
public static class Prerequisites
{
    private static readonly ResourceRef StorageClasses = new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false);
    private const string DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";

    public sealed record Result(GlobalValues Global, string Checkout, string Sha);

    public static async Task<Result> CheckAsync(IKubeClient cluster, string server, InstallOptions options, RepositoryCache repositories, CancellationToken ct)
    {
        IReadOnlyList<JsonObject> classes;
        try
        {
            classes = (await cluster.ListAsync(StorageClasses, null, null, ct)).Items;
        }
        catch (HttpRequestException e)
        {
            throw new InstallException($"the cluster API at {server} (kubeconfig {options.Kubeconfig}) is not reachable: {e.Message}", e);
        }
        catch (KubeApiException e) when (e.StatusCode is 401 or 403)
        {
            throw new InstallException($"the cluster API at {server} refused the credentials of {options.Kubeconfig}: {e.Message}", e);
        }
        if (!classes.Any(c => c["metadata"]?["annotations"]?[DefaultClassAnnotation]?.ToString() == "true"))
        {
            var names = classes.Count == 0 ? "there are none" : "there are " + string.Join(", ", classes.Select(c => c["metadata"]?["name"]?.ToString()));
            throw new InstallException($"the cluster has no default StorageClass ({names}): Vault and stateful applications need one; " +
                $"annotate a class with {DefaultClassAnnotation}=true");
        }

        ResolvedRevision resolved;
        string checkout;
        var source = new RepoSource(options.RepositoryUrl);
        try
        {
            resolved = await repositories.ResolveAsync(source, options.Revision, ct);
            checkout = await repositories.CheckoutAsync(source, resolved.Sha, ct);
        }
        catch (Exception e) when (e is GitSourceException or ArgumentException)
        {
            throw new InstallException($"the repository {options.RepositoryUrl} is not readable at {options.Revision}: {e.Message}", e);
        }

        GlobalValues global;
        try
        {
            global = PatternValues.ReadGlobal(checkout);
        }
        catch (ValuesException e)
        {
            throw new InstallException($"{options.RepositoryUrl} ({options.Revision}): {e.Message}", e);
        }
        var groupFile = $"values-{global.ClusterGroupName}.yaml";
        if (!File.Exists(Path.Combine(checkout, groupFile)))
        {
            throw new InstallException($"{options.RepositoryUrl} ({options.Revision}): values-global.yaml: main.clusterGroupName is '{global.ClusterGroupName}' but {groupFile} does not exist");
        }
        return new Result(global, checkout, resolved.Sha);
    }
}
