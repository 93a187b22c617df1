using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;

namespace Mcg.Patterns.Provisioning;

/// <summary>
/// The <c>virtual</c> driver: a cluster is an <c>mcg cluster serve</c> process (data under
/// <c>&lt;root&gt;/&lt;name&gt;/cluster</c>) plus its <c>mcg agent</c>, which joins the hub with a fresh bootstrap token and the
/// requested labels (including <c>cloud</c> for the platform). Children of the hub process: stopped with it, resumed
/// from their data directories when the hub starts again.
/// </summary>
public sealed class VirtualClusterDriver(IKubeClient hub, string hubKubeconfig, string root, ILogger<VirtualClusterDriver> logger) : IClusterDriver
{
    private readonly ConcurrentDictionary<string, (Process Cluster, Process Agent)> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Name => "virtual";

    public async Task<string> EnsureAsync(ClusterRequest request, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var dir = Path.Combine(root, request.Name);
            if (_running.TryGetValue(request.Name, out var running) && !running.Cluster.HasExited && !running.Agent.HasExited)
            {
                return $"virtual cluster {request.Name} running (data {dir})";
            }
            if (running.Cluster is not null)
            {
                Stop(running);
            }
            var clusterData = Path.Combine(dir, "cluster");
            Directory.CreateDirectory(clusterData);
            var kubeconfig = Path.Combine(clusterData, "kubeconfig");
            File.Delete(kubeconfig); // rewritten by the server when it listens
            // The worker count is not passed yet: `mcg cluster serve --nodes` (the node simulator) arrives with the storage work.
            var cluster = Start(request.Name, ["cluster", "serve", "--data", clusterData, "--name", request.Name, "--nodes", request.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(kubeconfig))
            {
                if (cluster.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"virtual cluster {request.Name} did not start (exit {(cluster.HasExited ? cluster.ExitCode : "none")})");
                }
                await Task.Delay(100, ct);
            }
            var bootstrap = Path.Combine(dir, "bootstrap-kubeconfig");
            if (!File.Exists(Path.Combine(dir, "agent", "hub-kubeconfig")))
            {
                await WriteBootstrapAsync(request.Name, bootstrap, ct);
            }
            var args = new List<string> { "agent", "--hub-kubeconfig", bootstrap, "--kubeconfig", kubeconfig, "--cluster-name", request.Name, "--data", Path.Combine(dir, "agent") };
            foreach (var (k, v) in request.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                args.AddRange(["--label", $"{k}={v}"]);
            }
            var agent = Start(request.Name + "-agent", args);
            _running[request.Name] = (cluster, agent);
            logger.LogInformation("Virtual cluster {Cluster} started ({Platform}, {Workers} workers), agent joining", request.Name, request.Platform, request.Workers);
            return $"virtual cluster {request.Name} started (data {dir})";
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var existed = _running.TryRemove(name, out var running);
            if (existed)
            {
                Stop(running);
            }
            var dir = Path.Combine(root, name);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
                existed = true;
            }
            return existed;
        }
        finally
        {
            _lock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var running in _running.Values)
        {
            Stop(running);
        }
        _running.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>The hub kubeconfig with the cluster's bootstrap token as the user (what <c>mcg cluster join</c> writes).</summary>
    private async Task WriteBootstrapAsync(string cluster, string path, CancellationToken ct)
    {
        var token = await ClusterJoin.IssueBootstrapTokenAsync(hub, cluster, TimeSpan.FromHours(1), ct);
        var config = (JsonObject)YamlJson.Parse(await File.ReadAllTextAsync(hubKubeconfig, ct), hubKubeconfig)!;
        foreach (var user in (config["users"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            user["user"] = new JsonObject { ["token"] = token };
        }
        await File.WriteAllTextAsync(path, YamlJson.ToYaml(config), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private Process Start(string tag, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Run as `dotnet mcg.dll`: pass the entry assembly first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll)
        {
            psi.ArgumentList.Add(dll);
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => Log(tag, e.Data);
        p.ErrorDataReceived += (_, e) => Log(tag, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private void Log(string tag, string? line)
    {
        if (line is not null)
        {
            logger.LogDebug("{Process}: {Line}", tag, line);
        }
    }

    private static void Stop((Process Cluster, Process Agent) running)
    {
        foreach (var p in new[] { running.Agent, running.Cluster })
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
            p.Dispose();
        }
    }
}
