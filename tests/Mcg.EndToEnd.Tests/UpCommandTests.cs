using System.Text.Json.Nodes;
using Mcg.EndToEnd.Tests.Support;

namespace Mcg.EndToEnd.Tests;

/// <summary><c>mcg up</c> as users run it: a fresh data directory, then a resume from it; <c>mcg status</c> reads it.</summary>
public sealed class UpCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcg-up-").FullName;

    [Fact]
    public async Task Up_starts_a_green_fleet_and_resumes_it_from_its_data_directory()
    {
        var data = Path.Combine(_root, "data");
        var kubeconfig = Path.Combine(_root, "unused-kubeconfig");
        var first = await McgCli.RunAsync(kubeconfig, TimeSpan.FromMinutes(4), "up", "--clusters", "2", "--data", data, "--exit-when-ready", "--timeout-seconds", "180");
        Assert.True(first.ExitCode == 0, first.Out + first.Err);
        Assert.Contains("all green: clusters 2/2 available", first.Out);
        Assert.True(File.Exists(Path.Combine(data, "hub", "kubeconfig")));
        Assert.True(File.Exists(Path.Combine(data, "clusters", "aws-1", "kubeconfig")));
        Assert.True(File.Exists(Path.Combine(data, "clusters", "azure-2", "kubeconfig")));
        Assert.Contains("mcg up: stopping", first.Out);
        var ports = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(data, "up.json")))!.ToJsonString();

        var down = await McgCli.RunAsync(kubeconfig, TimeSpan.FromMinutes(1), "status", "--data", data);
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("the hub is not reachable", down.Err);

        using var second = McgCli.Start(kubeconfig, "up", "--clusters", "2", "--data", data, "--timeout-seconds", "180");
        var output = new System.Text.StringBuilder();
        second.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        second.BeginOutputReadLine();
        await Eventually(() => { lock (output) { return output.ToString().Contains("mcg up: running"); } }, TimeSpan.FromMinutes(3), () => output.ToString());
        Assert.Contains("resuming from", output.ToString());
        Assert.Equal(ports, JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(data, "up.json")))!.ToJsonString());

        var status = await McgCli.RunAsync(kubeconfig, TimeSpan.FromMinutes(1), "status", "--data", data);
        Assert.True(status.ExitCode == 0, status.Out + status.Err);
        Assert.Matches(@"aws-1\s+AWS\s+True", status.Out);
        Assert.Matches(@"azure-2\s+Azure\s+True", status.Out);

        // SIGTERM (what systemd or a container runtime sends) stops the whole fleet cleanly.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("mcg up: stopping", output.ToString());
        var stopped = await McgCli.RunAsync(kubeconfig, TimeSpan.FromMinutes(1), "status", "--data", data);
        Assert.Equal(1, stopped.ExitCode);
    }

    private static async Task Eventually(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out: " + describe());
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Status_names_a_directory_that_is_not_an_up_data_directory()
    {
        var result = await McgCli.RunAsync(Path.Combine(_root, "k"), TimeSpan.FromMinutes(1), "status", "--data", _root);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hub/kubeconfig does not exist", result.Err);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
