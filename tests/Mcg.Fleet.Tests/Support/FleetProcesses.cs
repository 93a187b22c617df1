using System.Diagnostics;
using System.Text;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.Fleet.Tests.Support;

/// <summary>A hub (`mcg hub`), virtual clusters (`mcg cluster serve`) and their agents (`mcg agent`), all real processes.</summary>
public sealed class FleetProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly Dictionary<string, Process> _agents = [];
    private readonly List<ServerProcess> _clusters = [];

    public string Root { get; } = Directory.CreateTempSubdirectory("mcg-fleet-").FullName;
    public string HubKubeconfig => Path.Combine(Root, "hub", "kubeconfig");
    private readonly StringBuilder _log = new();

    /// <summary>Everything the processes printed so far (a snapshot: they keep writing from other threads).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }
    public Dictionary<string, ServerProcess> Clusters { get; } = [];
    public Kubectl Hub => new(HubKubeconfig);

    private Process? _hub;
    private int _hubPort;

    /// <summary>Starts the hub (again on the same port and data directory after <see cref="KillHubAsync"/>).</summary>
    public async Task StartHubAsync(params string[] extra)
    {
        if (_hubPort == 0)
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            _hubPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var marks = Log.Split("hub listening on").Length;
        var hub = _hub = Start("hub", ["hub", "--data", Path.Combine(Root, "hub"), "--port", _hubPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra]);
        await WaitForLineAsync(hub, "hub listening on", marks);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await Hub.RunAsync("get crd manifestworks.work.open-cluster-management.io")).ExitCode != 0 || (await Hub.RunAsync("get ns open-cluster-management")).ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the hub did not install its CRDs: " + Log);
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Starts a virtual cluster (API only, no simulators) and its agent, joined with a fresh bootstrap token.</summary>
    public Task AddClusterAsync(string name, params string[] labels) => AddClusterAsync(name, [], labels);

    /// <summary>
    /// Starts a virtual cluster with <paramref name="serveArgs"/> for <c>mcg cluster serve</c> (<c>--nodes N</c> runs the
    /// simulators, so Jobs and Pods run to completion) and its agent.
    /// </summary>
    public async Task AddClusterAsync(string name, IReadOnlyList<string> serveArgs, params string[] labels)
    {
        var cluster = await ServerProcess.StartAsync(Path.Combine(Root, name), [.. serveArgs]);
        Clusters[name] = cluster;
        _clusters.Add(cluster);
        var bootstrap = Path.Combine(Root, $"{name}-bootstrap");
        var join = await RunAsync("cluster", "join", name, "--kubeconfig", HubKubeconfig, "--output", bootstrap);
        Assert.True(join.ExitCode == 0, join.Err);
        StartAgent(name, [.. labels.SelectMany(l => new[] { "--label", l }), "--hub-kubeconfig", bootstrap]);
    }

    public void StartAgent(string name, params string[] extra)
    {
        var cluster = Clusters[name];
        _agents[name] = Start($"agent-{name}", ["agent", "--kubeconfig", cluster.KubeconfigPath, "--cluster-name", name,
            "--data", Path.Combine(Root, $"agent-{name}"), "--lease-seconds", "1", .. extra]);
    }

    /// <summary>Kills the hub process at once (no graceful shutdown).</summary>
    public async Task KillHubAsync()
    {
        _hub!.Kill(true);
        await _hub.WaitForExitAsync();
    }

    public async Task StopAgentAsync(string name)
    {
        var agent = _agents[name];
        agent.Kill(true);
        await agent.WaitForExitAsync();
    }

    public string AgentKubeconfig(string name) => Path.Combine(Root, $"agent-{name}", "hub-kubeconfig");

    public async Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args)
    {
        using var p = Process.Start(Psi(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes.Where(p => !p.HasExited))
        {
            p.Kill(true);
            await p.WaitForExitAsync();
        }
        foreach (var c in _clusters)
        {
            await c.DisposeAsync();
        }
        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
    }

    private Process Start(string tag, params string[] args)
    {
        var p = Process.Start(Psi(args))!;
        p.OutputDataReceived += (_, e) => Append(tag, e.Data);
        p.ErrorDataReceived += (_, e) => Append(tag, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }

    private void Append(string tag, string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Append(tag).Append(": ").AppendLine(line);
            }
        }
    }

    private async Task WaitForLineAsync(Process p, string marker, int occurrences = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (Log.Split(marker).Length > occurrences)
            {
                return;
            }
            if (p.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"process did not print '{marker}': {Log}");
            }
            await Task.Delay(100);
        }
    }

    private ProcessStartInfo Psi(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mcg.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["HOME"] = Root;
        return psi;
    }
}
