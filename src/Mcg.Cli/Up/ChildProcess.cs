using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mcg.Cli.Up;

/// <summary>
/// One <c>mcg</c> sub-process of <c>mcg up</c> (hub, virtual cluster or agent): output goes to its log file, an
/// unexpected exit restarts it with backoff, and stopping sends SIGTERM first so it shuts down cleanly.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly string[] _args;
    private readonly string _logPath;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _supervision;
    private readonly TaskCompletionSource _firstStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    private ChildProcess(string name, string[] args, string logPath)
    {
        Name = name;
        _args = args;
        _logPath = logPath;
        _supervision = Task.Run(SuperviseAsync);
    }

    public string Name { get; }

    public int Restarts { get; private set; }

    public static async Task<ChildProcess> StartAsync(string name, string logDirectory, params string[] args)
    {
        Directory.CreateDirectory(logDirectory);
        var child = new ChildProcess(name, args, Path.Combine(logDirectory, name + ".log"));
        await child._firstStart.Task;
        return child;
    }

    /// <summary>The last lines the process wrote, for error messages.</summary>
    public string Tail(int lines = 20)
    {
        try
        {
            using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public bool LogContains(string text) => Tail(int.MaxValue).Contains(text, StringComparison.Ordinal);

    private async Task SuperviseAsync()
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!_stopping.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            using var log = new StreamWriter(new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            var process = new Process { StartInfo = StartInfo(_args) };
            process.OutputDataReceived += (_, e) => Write(log, e.Data);
            process.ErrorDataReceived += (_, e) => Write(log, e.Data);
            try
            {
                process.Start();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                _firstStart.TrySetException(new InvalidOperationException($"cannot start {Name}: {e.Message}", e));
                return;
            }
            _process = process;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _firstStart.TrySetResult();
            try
            {
                await process.WaitForExitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                await StopAsync(process);
                return;
            }
            Write(log, $"mcg up: {Name} exited with code {process.ExitCode}; restarting in {backoff.TotalSeconds:0} s");
            Restarts++;
            backoff = DateTime.UtcNow - started > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            try
            {
                await Task.Delay(backoff, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        if (!OperatingSystem.IsWindows())
        {
            _ = Kill(process.Id, SigTerm);
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the same <c>mcg</c> this process runs: the app host, or <c>dotnet mcg.dll</c>.</summary>
    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mcg.dll"));
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return psi;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _supervision;
        _process?.Dispose();
        _stopping.Dispose();
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
