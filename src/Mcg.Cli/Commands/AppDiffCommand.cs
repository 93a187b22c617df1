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
            var appNamespace = parse.GetValue(kube.AppNamespace)!;
            try
            {
                if (await AppDelivery.FindAsync(client, app, ct) is { } delivery)
                {
                    await using var cache = new ClusterCache(client, NullLoggerFactory.Instance);
                    var comparer = new AppComparer(new GitManifestSource(repositories, client, appNamespace), new ManifestRenderer(), cache, new HealthAssessor());
                    var spec = ApplicationSpec.Parse(app);
                    var plan = await new RemoteComparer(comparer, new HealthAssessor()).PlanAsync(app, spec, spec.Sources, parse.GetValue(revision), ct);
                    return RemoteDiff(plan, delivery, IgnoreDifference.FromApplicationSpec(spec.IgnoreDifferences)) ? 1 : 0;
                }
                var diffs = await AppDiff.ComputeAsync(client, app, repositories, appNamespace, parse.GetValue(revision), ct);
                foreach (var d in diffs)
                {
                    Console.WriteLine($"===== {d.Group}/{d.Kind} {d.Namespace}/{d.Name} ======");
                    Console.Write(d.Unified);
                }
                return diffs.Count > 0 ? 1 : 0;
            }
            catch (Exception e) when (e is InvalidSpecException or ComparisonException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
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
            var (liveShown, targetShown) = Shown(t.Resource.Kind, t.Resource.Group,
                delivered.Remove(key, out var live) ? AppDiff.Clean(DiffNormalizer.Normalize(live, ignore)) : null,
                AppDiff.Clean(DiffNormalizer.Normalize(t.Object, ignore)));
            var before = liveShown is null ? "" : YamlJson.ToYaml(liveShown);
            var after = targetShown is null ? "" : YamlJson.ToYaml(targetShown);
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
            PrintDiff(gvk.Group, gvk.Kind, left, label, YamlJson.ToYaml(Shown(gvk.Kind, gvk.Group, AppDiff.Clean(left), null).Live!), "");
        }
        return differs;
    }

    private static void PrintDiff(string group, string kind, JsonObject obj, string label, string before, string after)
    {
        Console.WriteLine($"===== {group}/{kind} {obj.Namespace()}/{obj.Name()} ======{label}");
        Console.Write(TextDiff.Unified(before, after));
    }

    /// <summary>Secret values are never printed (Argo CD's HideSecretData).</summary>
    private static (JsonObject? Live, JsonObject? Predicted) Shown(string kind, string group, JsonObject? live, JsonObject? predicted) =>
        kind == "Secret" && group.Length == 0 ? AppDiff.HideSecretData(live, predicted) : (live, predicted);
}
