using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;
using Mcg.Secrets.Vault;

namespace Mcg.EndToEnd.Tests;

/// <summary>
/// <c>mcg up</c> as users run it: the sample pattern on a hub and three virtual clusters reaches all green; each cluster
/// shows its own hello-world page, the Vault value in config-demo's Secret and a 3-replica Portworx volume; a commit and
/// a Vault change reach every cluster; SIGTERM stops it cleanly and a second run resumes from the data directory.
/// </summary>
public sealed class UpCommandTests : IDisposable
{
    private static readonly string[] Clusters = ["aws-1", "azure-2", "gcp-3"];
    private readonly string _root = Directory.CreateTempSubdirectory("mcg-up-").FullName;
    private Process? _up;
    private string Data => Path.Combine(_root, "data");
    private string UnusedKubeconfig => Path.Combine(_root, "unused-kubeconfig");

    [Fact]
    public async Task Up_brings_the_sample_pattern_to_green_on_three_clusters_follows_git_and_vault_and_resumes()
    {
        var up = _up = McgCli.Start(UnusedKubeconfig, "up", "--clusters", "3", "--data", Data, "--timeout-seconds", "900");
        var output = new StringBuilder();
        up.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        up.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        up.BeginOutputReadLine();
        up.BeginErrorReadLine();
        string Output() { lock (output) { return output.ToString(); } }
        await Eventually(() => Task.FromResult(Output().Contains("mcg up: running")), TimeSpan.FromMinutes(16), Output);
        Assert.True(Output().Contains("mcg up: all green: clusters 3/3 available", StringComparison.Ordinal), Output());
        var ports = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Data, "up.json")))!.ToJsonString();

        // Every agent serves /metrics on the port up.json keeps for it, and mcg up printed where.
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            foreach (var c in JsonNode.Parse(ports)!["clusters"]!.AsArray())
            {
                var url = $"http://127.0.0.1:{c!["metricsPort"]!.GetValue<int>()}/metrics";
                Assert.Contains($"mcg-agent    {c["name"]!.GetValue<string>(),-10} {url}", Output());
                Assert.Contains("workqueue_adds_total{name=\"work-agent\"}", await http.GetStringAsync(url));
            }
        }

        using var vault = Vault();
        var value = (await vault.KvReadAsync("secret", "global/config-demo"))!.Data!["secret"]!.GetValue<string>();
        foreach (var cluster in Clusters)
        {
            var kubectl = Kubectl(cluster);
            Assert.Contains($"\n{cluster}\n", (await kubectl.RunAsync("-n hello-world get configmap hello-world -o jsonpath={.data.index\\.html}")).Ok().Out);
            Assert.Equal(value, Decode((await kubectl.RunAsync("-n config-demo get secret config-demo-secret -o jsonpath={.data.secret}")).Ok().Out));
            var pv = (await kubectl.RunAsync("-n portworx-demo get pvc postgres-data -o jsonpath={.spec.volumeName}")).Ok().Out.Trim();
            Assert.Equal("Bound", (await kubectl.RunAsync("-n portworx-demo get pvc postgres-data -o jsonpath={.status.phase}")).Ok().Out.Trim());
            var replicas = (await kubectl.RunAsync($"get pv {pv} -o jsonpath={{.metadata.annotations.portworx\\.io/replica-nodes}}")).Ok().Out.Trim();
            Assert.Equal(3, replicas.Split(',').Distinct().Count());
        }

        // A commit to the pattern repository reaches every cluster; so does a new value in Vault.
        var page = Path.Combine(Data, "repo", "apps", "hello-world", "configmap.yaml");
        await File.WriteAllTextAsync(page, (await File.ReadAllTextAsync(page)).Replace("<h1>Hello World!</h1>", "<h1>Hello Fleet!</h1>"));
        Git("commit", "-q", "-am", "Hello Fleet");
        await vault.KvWriteAsync("secret", "global/config-demo", new JsonObject { ["secret"] = "rotated-value" });
        foreach (var cluster in Clusters)
        {
            var kubectl = Kubectl(cluster);
            await Eventually(async () => (await kubectl.RunAsync("-n hello-world get configmap hello-world -o jsonpath={.data.index\\.html}")).Out.Contains("Hello Fleet!"),
                TimeSpan.FromMinutes(4), () => $"{cluster} did not get the commit\n" + Output());
            await Eventually(async () => Decode((await kubectl.RunAsync("-n config-demo get secret config-demo-secret -o jsonpath={.data.secret}")).Out) == "rotated-value",
                TimeSpan.FromMinutes(3), () => $"{cluster} did not get the new Vault value");
        }

        var status = await McgCli.RunAsync(UnusedKubeconfig, TimeSpan.FromMinutes(1), "status", "--data", Data);
        Assert.True(status.ExitCode == 0, status.Out + status.Err);
        foreach (var cluster in Clusters)
        {
            Assert.Matches($@"{cluster}\s+\w+\s+True", status.Out);
        }
        Assert.Matches(@"aws-1-hello-world\s+aws-1\s+Synced\s+Healthy", status.Out);
        Assert.Contains("== Metrics", status.Out);
        Assert.Matches(@"mcg-agent\s+gcp-3\s+http://127\.0\.0\.1:\d+/metrics\s+none", status.Out);

        // SIGTERM (what systemd or a container runtime sends) stops the whole fleet cleanly.
        using (var kill = Process.Start("kill", ["-TERM", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await up.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(0, up.ExitCode);
        Assert.Contains("mcg up: stopping", Output());
        var down = await McgCli.RunAsync(UnusedKubeconfig, TimeSpan.FromMinutes(1), "status", "--data", Data);
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("the hub is not reachable", down.Err);

        var again = await McgCli.RunAsync(UnusedKubeconfig, TimeSpan.FromMinutes(8), "up", "--clusters", "3", "--data", Data, "--exit-when-ready", "--timeout-seconds", "400");
        Assert.True(again.ExitCode == 0, again.Out + again.Err);
        Assert.Contains("resuming from", again.Out);
        Assert.Contains("all green", again.Out);
        Assert.Equal(ports, JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Data, "up.json")))!.ToJsonString());
    }

    [Fact]
    public async Task Status_names_a_directory_that_is_not_an_up_data_directory()
    {
        var result = await McgCli.RunAsync(UnusedKubeconfig, TimeSpan.FromMinutes(1), "status", "--data", _root);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hub/kubeconfig does not exist", result.Err);
    }

    private Kubectl Kubectl(string cluster) => new(Path.Combine(Data, "clusters", cluster, "kubeconfig"));

    private VaultClient Vault()
    {
        var hub = Path.Combine(Data, "hub");
        var init = JsonNode.Parse(File.ReadAllText(Path.Combine(hub, "vault-init.json")))!;
        return new VaultClient(new VaultClientOptions
        {
            Address = File.ReadAllText(Path.Combine(hub, "vault-addr")).Trim(),
            CaPem = File.ReadAllText(Path.Combine(hub, "vault-ca.crt")),
            Token = init["root_token"]!.GetValue<string>(),
        });
    }

    private static string Decode(string base64) => base64.Length == 0 ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));

    private void Git(params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = Path.Combine(Data, "repo"), RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("user.name=Test");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("user.email=test@example.com");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
    }

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out: " + describe());
            await Task.Delay(500);
        }
    }

    public void Dispose()
    {
        try
        {
            // A failed assertion must not leave the fleet running (hub, clusters and agents are children of mcg up).
            if (_up is { HasExited: false })
            {
                _up.Kill(entireProcessTree: true);
                _up.WaitForExit(30_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _up?.Dispose();
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
