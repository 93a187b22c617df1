using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.Kube.Apply;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.GitOps.Diff;

/// <summary>One object that would change: its identity and a unified diff of live → predicted YAML.</summary>
public sealed record ResourceDiff(string Group, string Kind, string? Namespace, string Name, string Unified);

/// <summary>
/// The live diff of <c>argocd app diff</c>: renders an application's sources, predicts each object after a
/// server-side apply against the live state read with <paramref name="client"/>, and returns what would change.
/// Secret values are never shown: as Argo CD does, each is replaced by <c>++++++++</c> (and <c>+++++++++</c> on the
/// side where it differs). Shared by <c>mcg app diff</c> and the web console.
/// </summary>
public static class AppDiff
{
    /// <exception cref="InvalidSpecException">The Application's spec is invalid.</exception>
    /// <exception cref="ComparisonException">Its sources cannot be fetched or rendered.</exception>
    public static async Task<IReadOnlyList<ResourceDiff>> ComputeAsync(IKubeClient client, JsonObject app, RepositoryCache repositories, string appNamespace,
        string? revision, CancellationToken ct)
    {
        await using var cache = new ClusterCache(client, NullLoggerFactory.Instance);
        var comparer = new AppComparer(new GitManifestSource(repositories, client, appNamespace), new ManifestRenderer(), cache, new HealthAssessor());
        var spec = ApplicationSpec.Parse(app);
        var comparison = await comparer.CompareAsync(app, spec, spec.Sources, revision, [], ct);
        var ignore = IgnoreDifference.FromApplicationSpec(spec.IgnoreDifferences);
        var manager = new FieldManager();
        var diffs = new List<ResourceDiff>();
        foreach (var r in comparison.Resources.Where(r => !r.Synced))
        {
            var obj = r.Planned.Object;
            var live = r.Live is null ? null : Clean(DiffNormalizer.Normalize(r.Live, ignore));
            JsonObject? predicted = null;
            if (!r.RequiresPruning)
            {
                var target = DiffNormalizer.Normalize(obj, ignore);
                predicted = r.Live is null ? Clean(target) : Clean(manager.Apply(r.Live, (JsonObject)target.DeepClone(), AppComparer.FieldManager, true, DateTimeOffset.UtcNow).Object!);
            }
            if (r.Planned.Resource is { Group: "", Kind: "Secret" })
            {
                (live, predicted) = HideSecretData(live, predicted);
            }
            var before = live is null ? "" : YamlJson.ToYaml(live);
            var after = predicted is null ? "" : YamlJson.ToYaml(predicted);
            if (before != after)
            {
                diffs.Add(new ResourceDiff(r.Planned.Resource.Group, r.Planned.Resource.Kind, obj.Namespace(), obj.Name() ?? "", TextDiff.Unified(before, after)));
            }
        }
        return diffs;
    }

    /// <summary>
    /// Argo CD's HideSecretData: every <c>data</c>/<c>stringData</c> value masked (a longer mask where the two sides
    /// differ, so a change still shows), and the last-applied annotation, which would repeat the values, dropped.
    /// </summary>
    public static (JsonObject? Live, JsonObject? Predicted) HideSecretData(JsonObject? live, JsonObject? predicted)
    {
        foreach (var field in new[] { "data", "stringData" })
        {
            var a = live?[field] as JsonObject;
            var b = predicted?[field] as JsonObject;
            var keys = (a?.Select(p => p.Key) ?? []).Union(b?.Select(p => p.Key) ?? [], StringComparer.Ordinal).ToList();
            foreach (var key in keys)
            {
                var same = a?[key]?.ToJsonString() == b?[key]?.ToJsonString();
                if (a?.ContainsKey(key) == true)
                {
                    a[key] = "++++++++";
                }
                if (b?.ContainsKey(key) == true)
                {
                    b[key] = same ? "++++++++" : "+++++++++";
                }
            }
        }
        foreach (var obj in new[] { live, predicted })
        {
            (obj?["metadata"]?["annotations"] as JsonObject)?.Remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        return (live, predicted);
    }

    /// <summary>What the diff shows: the object without status and server-owned metadata.</summary>
    public static JsonObject Clean(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("status");
        var meta = copy.Metadata();
        foreach (var key in new[] { "managedFields", "resourceVersion", "uid", "generation", "creationTimestamp" })
        {
            meta.Remove(key);
        }
        return copy;
    }
}
