using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Mcg.Secrets.Tests.Support;

/// <summary>A real <c>mcg …serve</c> process (mcg.dll is copied next to the tests) that prints <c>listening on https://…</c>.</summary>
public sealed partial class McgProcess : IAsyncDisposable
{
    private readonly string[] _args;
    private readonly bool _ownsDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private McgProcess(string dataDir, bool ownsDirectory, string[] args)
    {
        DataDir = dataDir;
        _ownsDirectory = ownsDirectory;
        _args = args;
    }

    public string DataDir { get; }
    public string Url { get; private set; } = "";

    /// <summary>Everything the process printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>mcg &lt;command…&gt; --data DIR</c> on a new temporary directory.</summary>
    public static async Task<McgProcess> StartAsync(params string[] command)
    {
        var process = new McgProcess(Directory.CreateTempSubdirectory("mcg-test-").FullName, true, command);
        await process.StartProcessAsync();
        return process;
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task StartProcessAsync()
    {
        var mcg = Path.Combine(AppContext.BaseDirectory, "mcg.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { mcg }.Concat(_args).Concat(["--data", DataDir]))
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
            if (ListeningLine().Match(e.Data) is { Success: true } m)
            {
                ready.TrySetResult(m.Groups[1].Value);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
        };
        _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"mcg exited early: {Output}"));
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
    }

    [GeneratedRegex(@"listening on (https://[^\s)]+)")]
    private static partial Regex ListeningLine();
}
