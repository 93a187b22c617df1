using System.Diagnostics;

namespace Mcg.ApiServer.Tests.Support;

/// <summary>Runs the machine's kubectl against a server's kubeconfig.</summary>
public sealed class Kubectl(string kubeconfig)
{
    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public Result Ok()
        {
            Assert.True(ExitCode == 0, $"kubectl failed ({ExitCode}): {Err}\n{Out}");
            return this;
        }
    }

    /// <summary>Runs kubectl; <paramref name="args"/> splits on spaces except inside single quotes, as a shell would.</summary>
    public async Task<Result> RunAsync(string args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (var a in Split(args))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = Path.GetDirectoryName(kubeconfig)!;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"kubectl {args} timed out; stderr: {await stderr}");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>); the caller kills it.</summary>
    public Process Start(string args)
    {
        var psi = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in Split(args))
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = Path.GetDirectoryName(kubeconfig)!;
        return Process.Start(psi)!;
    }

    private static List<string> Split(string args)
    {
        var result = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in args)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0 || any)
                {
                    result.Add(current.ToString());
                }
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }
        if (current.Length > 0 || any)
        {
            result.Add(current.ToString());
        }
        return result;
    }
}
