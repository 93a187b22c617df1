using System.CommandLine;
using System.Text.Json.Nodes;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Diff;
using Mcg.GitOps.Health;
using Mcg.GitOps.Rendering;
using Mcg.GitOps.Sources;
using Mcg.Kube.Apply;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Cli.Commands;

/// <summary>
/// <c>mcg app diff NAME</c>: renders the application's sources here, predicts each object after a server-side apply
/// and prints what would change (exit 1 when something differs, as <c>argocd app diff</c>).
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
                var group = r.Planned.Resource.Group;
                Console.WriteLine($"===== {group}/{r.Planned.Resource.Kind} {obj.Namespace()}/{obj.Name()} ======");
                Console.Write(TextDiff.Unified(before, after));
            }
            return differs ? 1 : 0;
        });
        return cmd;
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
