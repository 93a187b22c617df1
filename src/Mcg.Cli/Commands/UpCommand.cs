using System.CommandLine;
using Mcg.Cli.Up;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg up</c>: the whole embedded multicloud demo on this machine.</summary>
public static class UpCommand
{
    public static Command Create()
    {
        var clusters = new Option<int>("--clusters") { Description = "Number of virtual managed clusters", DefaultValueFactory = _ => 3 };
        var data = new Option<DirectoryInfo>("--data") { Description = "Data directory (resumed when it exists)", DefaultValueFactory = _ => new DirectoryInfo("mcg-data") };
        var repo = new Option<string?>("--repo") { Description = "Pattern repository URL (default: a local Git repository made from the sample)" };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit of --repo", DefaultValueFactory = _ => "main" };
        var timeout = new Option<int>("--timeout-seconds") { Description = "How long to wait for everything to turn green", DefaultValueFactory = _ => 600 };
        var exitWhenReady = new Option<bool>("--exit-when-ready") { Description = "Stop once everything is green (exit code 1 if it did not get there)" };
        var up = new Command("up", "Start a hub, virtual clusters with their agents and the sample pattern, and show progress until all green")
        {
            clusters, data, repo, revision, timeout, exitWhenReady,
        };
        up.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(clusters);
            if (count is < 1 or > 50)
            {
                Console.Error.WriteLine($"--clusters: {count} is outside 1..50");
                return 2;
            }
            var options = new UpOptions
            {
                DataDirectory = parse.GetValue(data)!.FullName,
                Clusters = count,
                RepositoryUrl = parse.GetValue(repo),
                Revision = parse.GetValue(revision)!,
                ReadyTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                ExitWhenReady = parse.GetValue(exitWhenReady),
            };
            return await new UpRunner(options, Console.Out).RunAsync(ct);
        });
        return up;
    }
}
