using System.Diagnostics;
using System.Text;

namespace Mcg.EndToEnd.Tests.Support;

/// <summary>Runs the <c>mcg</c> CLI (the built mcg.dll next to the tests), short-lived or long-running.</summary>
public static class McgCli
{
    private static string Dll => System.IO.Path.Combine(AppContext.BaseDirectory, "mcg.dll");

    public sealed record Result(int ExitCode, string Out, string Err);

    public static async Task<Result> RunAsync(string kubeconfig, TimeSpan timeout, params string[] args)
    {
        using var p = Start(kubeconfig, args);
        return await CollectAsync(p, timeout, $"mcg {string.Join(' ', args)}");
    }

    /// <summary>Waits for the process to exit (killing it after <paramref name="timeout"/>) and returns its exit code and output.</summary>
    private static async Task<Result> CollectAsync(Process p, TimeSpan timeout, string what)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"{what} timed out: {await stdout}\n{await stderr}");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs <c>mcg</c> on a pseudo-terminal (util-linux <c>script</c>), as at a user's terminal; returns what the terminal
    /// showed (escape sequences included) as <see cref="Result.Out"/>.
    /// </summary>
    public static async Task<Result> RunOnTerminalAsync(string kubeconfig, TimeSpan timeout, params string[] args)
    {
        static string Quote(string a) => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var psi = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-qec", string.Join(' ', new[] { "dotnet", Dll }.Concat(args).Select(Quote)), "/dev/null" })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = System.IO.Path.GetDirectoryName(kubeconfig)!;
        psi.Environment["TERM"] = "xterm-256color";
        psi.Environment["COLUMNS"] = "200";
        foreach (var ci in new[] { "CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "TRAVIS", "TEAMCITY_VERSION", "CONTINUOUS_INTEGRATION" })
        {
            psi.Environment.Remove(ci); // Spectre.Console treats these as "not interactive"
        }
        using var p = Process.Start(psi)!;
        return await CollectAsync(p, timeout, $"mcg {string.Join(' ', args)} on a terminal");
    }

    public static Process Start(string kubeconfig, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = System.IO.Path.GetDirectoryName(kubeconfig)!;
        return Process.Start(psi)!;
    }

    /// <summary>Starts <c>mcg gitops run</c> and waits until its webhook listens; returns the process and the webhook URL.</summary>
    public static async Task<(Process Process, string WebhookUrl, StringBuilder Log)> StartGitOpsAsync(string kubeconfig, string dataDir, string secret)
    {
        var p = Start(kubeconfig, "gitops", "run", "--data", dataDir, "--poll-seconds", "600", "--webhook-secret", secret);
        var log = new StringBuilder();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (log)
            {
                log.AppendLine(e.Data);
            }
            const string marker = "webhook listening on ";
            var at = e.Data.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                ready.TrySetResult(e.Data[(at + marker.Length)..].Trim());
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (p, url, log);
    }
}
