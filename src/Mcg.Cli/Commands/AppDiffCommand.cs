using System.CommandLine;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Diff;
using Mcg.GitOps.Sources;

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
            IReadOnlyList<ResourceDiff> diffs;
            try
            {
                diffs = await AppDiff.ComputeAsync(client, app, repositories, parse.GetValue(kube.AppNamespace)!, parse.GetValue(revision), ct);
            }
            catch (Exception e) when (e is InvalidSpecException or ComparisonException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            foreach (var d in diffs)
            {
                Console.WriteLine($"===== {d.Group}/{d.Kind} {d.Namespace}/{d.Name} ======");
                Console.Write(d.Unified);
            }
            return diffs.Count > 0 ? 1 : 0;
        });
        return cmd;
    }
}
