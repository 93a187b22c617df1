using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;

namespace Mcg.ApiServer.Tests.Support;

/// <summary>A real <c>mcg cluster serve</c> process on a temporary data directory.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private Process? _process;

    private ServerProcess(string dataDir, string[] extraArgs)
    {
        DataDir = dataDir;
        _extraArgs = extraArgs;
    }

    public string DataDir { get; }
    public string Url { get; private set; } = "";
    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig");

    /// <summary>
    /// Starts <c>mcg cluster serve</c>; <paramref name="extraArgs"/> go after <c>--data DIR</c> (e.g. <c>--watch-history 20</c>).
    /// The simulators (nodes, pods, Portworx) run only when the arguments include <c>--nodes N</c>.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string? dataDir = null, params string[] extraArgs)
    {
        var server = new ServerProcess(dataDir ?? Directory.CreateTempSubdirectory("mcg-test-").FullName, extraArgs);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Stops the process (SIGKILL with <paramref name="kill"/>), runs <paramref name="whileStopped"/>, and starts it again.</summary>
    public async Task RestartAsync(bool kill, Func<Task>? whileStopped = null)
    {
        if (kill)
        {
            _process!.Kill(entireProcessTree: true);
        }
        else
        {
            _process!.Kill(false);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (whileStopped is not null)
        {
            await whileStopped();
        }
        await StartProcessAsync();
    }

    /// <summary>Sends SIGTERM (what service managers send) and returns the exit code, or null if it did not exit in time.</summary>
    public async Task<int?> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Starts the process again on the same data directory after it stopped.</summary>
    public async Task StartAgainAsync()
    {
        _process?.Dispose();
        await StartProcessAsync();
    }

    public Kubernetes Client() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        var mcg = Path.Combine(AppContext.BaseDirectory, "mcg.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // A bare API server (no simulated nodes, pods or storage) unless the test asks for simulated nodes.
        var simulators = _extraArgs.Contains("--nodes") ? [] : new[] { "--no-simulators" };
        foreach (var a in new[] { mcg, "cluster", "serve", "--data", DataDir }.Concat(simulators).Concat(_extraArgs))
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningLine().Match(e.Data) is { Success: true } m)
            {
                ready.TrySetResult(m.Groups[1].Value);
            }
        };
        _process.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"mcg exited early: {stderr}"));
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [GeneratedRegex(@"listening on (https://\S+)")]
    private static partial Regex ListeningLine();
}
