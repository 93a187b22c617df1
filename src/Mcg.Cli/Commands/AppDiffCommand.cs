using System.CommandLine;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Delivery;
using Mcg.GitOps.Diff;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.GitOps.Sync;
using Mcg.Kube.Apply;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Cli.Commands;

/// <summary>
/// <c>mcg app diff NAME</c>: renders the application's sources here, predicts each object after a server-side apply
/// and prints what would change (exit 1 when something differs, as <c>argocd app diff</c>). For an app on a managed
/// cluster the live side is what its ManifestWork delivered and the cluster reports applied (see <see cref="RemoteDiff"/>).
/// </summary>
public static class AppDiffCommand
{
    public static Command Create(KubeOptions kube)
    {
        var name = new Argument<string>("name") { Description = "Application name" };
        var revision = new Option<string?>("--revision") { Description = "Compare with this revision instead of the target revision" };
        var cmd = new Command("diff", "Show the difference between Git and the live state") { name, revision };
        kube.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            using var client = kube.Connect(parse);
            var appName = parse.GetValue(name)!;
            var app = await AppCommands.Fetch(client, parse, kube, appName, ct);
            if (app is null)
            {
                return 2;
            }
            var cacheDir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mcg", "repositories");
            var repositories = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = cacheDir });
            await using var cache = new ClusterCache(client, NullLoggerFactory.Instance);
            var comparer = new AppComparer(new GitManifestSource(repositories, client, parse.GetValue(kube.AppNamespace)!), new ManifestRenderer(), cache, new HealthAssessor());
            Comparison comparison;
            ApplicationSpec spec;
            try
            {
                spec = ApplicationSpec.Parse(app);
                if (await AppDelivery.FindAsync(client, app, ct) is { } delivery)
                {
                    var plan = await new RemoteComparer(comparer, new HealthAssessor()).PlanAsync(app, spec, spec.Sources, parse.GetValue(revision), ct);
                    return RemoteDiff(plan, delivery, IgnoreDifference.FromApplicationSpec(spec.IgnoreDifferences)) ? 1 : 0;
                }
                comparison = await comparer.CompareAsync(app, spec, spec.Sources, parse.GetValue(revision), [], ct);
            }
            catch (Exception e) when (e is InvalidSpecException or ComparisonException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            var ignore = IgnoreDifference.FromApplicationSpec(spec.IgnoreDifferences);
            var manager = new FieldManager();
            var differs = false;
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
                var before = live is null ? "" : YamlJson.ToYaml(live);
                var after = predicted is null ? "" : YamlJson.ToYaml(predicted);
                if (before == after)
                {
                    continue;
                }
                differs = true;
                PrintDiff(r.Planned.Resource.Group, r.Planned.Resource.Kind, obj, "", before, after);
            }
            return differs ? 1 : 0;
        });
        return cmd;
    }

    /// <summary>
    /// An app on a managed cluster: the hub holds no credential for that cluster (pull model), so the live side is
    /// what the app's ManifestWork delivered and the cluster's agent reports applied — the agent heals drift on its
    /// cluster at once, so for the fields Git sets that is what the cluster runs. Each diff is labelled with the work.
    /// Returns whether anything differs.
    /// </summary>
    private static bool RemoteDiff(RemotePlan plan, AppDelivery delivery, IReadOnlyList<IgnoreDifference> ignore)
    {
        var label = $" (live: as delivered in ManifestWork {delivery.Cluster}/{delivery.WorkName}{(delivery.Work is not null && !delivery.Current ? ", not yet reported applied" : "")})";
        var delivered = delivery.AppliedManifests();
        var differs = false;
        foreach (var t in plan.Targets)
        {
            var key = RemoteComparer.KeyOf(t.Object);
            var before = delivered.Remove(key, out var live) ? YamlJson.ToYaml(Clean(DiffNormalizer.Normalize(live, ignore))) : "";
            var after = YamlJson.ToYaml(Clean(DiffNormalizer.Normalize(t.Object, ignore)));
            if (before != after)
            {
                differs = true;
                PrintDiff(t.Resource.Group, t.Resource.Kind, t.Object, label, before, after);
            }
        }
        foreach (var (_, left) in delivered)
        {
            var gvk = left.Gvk();
            if (SyncTask.HookTypesOf(left).Count > 0 || plan.IsCreatedNamespace(gvk.Group, gvk.Kind, left.Name()))
            {
                continue; // hooks and the namespace CreateNamespace=true adds are not app resources
            }
            differs = true;
            PrintDiff(gvk.Group, gvk.Kind, left, label, YamlJson.ToYaml(Clean(left)), "");
        }
        return differs;
    }

    private static void PrintDiff(string group, string kind, JsonObject obj, string label, string before, string after)
    {
        Console.WriteLine($"===== {group}/{kind} {obj.Namespace()}/{obj.Name()} ======{label}");
        Console.Write(TextDiff.Unified(before, after));
    }

    /// <summary>What the diff shows: the object without status and server-owned metadata.</summary>
    private static JsonObject Clean(JsonObject obj)
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
