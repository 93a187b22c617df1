using System.Diagnostics;

namespace Mcg.Secrets.Tests.Support;

/// <summary>The result of an external command.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public ToolResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"{what} failed ({ExitCode}):\n{Stdout}\n{Stderr}");
        }
        return this;
    }
}

/// <summary>Runs the real clients the tests drive the server with: Debian's python3-hvac, curl and kubectl.</summary>
public static class Tools
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Fails with the install hint when python3-hvac is missing (CI installs it with apt-get).</summary>
    public static async Task RequireHvacAsync()
    {
        var r = await RunAsync(Python, ["-c", "import hvac"]);
        if (r.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"python3-hvac is required: apt-get install -y python3-hvac\n{r.Stderr}");
        }
    }

    /// <summary>
    /// Runs a Python script with <c>client</c> (an hvac.Client for VAULT_ADDR/VAULT_CACERT/VAULT_TOKEN), <c>hvac</c>,
    /// <c>json</c>, <c>os</c> and <c>requests</c> in scope.
    /// </summary>
    public static async Task<ToolResult> HvacAsync(string addr, string caCert, string? token, string script, IDictionary<string, string>? env = null)
    {
        const string prelude = """
            import json, os, sys, hvac, requests
            from hvac import exceptions
            client = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=os.environ.get("VAULT_TOKEN") or None)

            """;
        var file = Path.Combine(Path.GetTempPath(), $"mcg-hvac-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, prelude + script.Replace("\r\n", "\n"));
        try
        {
            var vars = new Dictionary<string, string> { ["VAULT_ADDR"] = addr, ["VAULT_CACERT"] = caCert, ["VAULT_TOKEN"] = token ?? "" };
            foreach (var (k, v) in env ?? new Dictionary<string, string>())
            {
                vars[k] = v;
            }
            return await RunAsync(Python, [file], vars);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>curl with the server's CA; returns the status code and body.</summary>
    public static async Task<(int Status, string Body)> CurlAsync(string caCert, string method, string url, string? token = null, string? body = null, string? contentType = null)
    {
        var args = new List<string> { "-sS", "--cacert", caCert, "-X", method, "-o", "-", "-w", "\n%{http_code}" };
        if (token is not null)
        {
            args.AddRange(["-H", $"X-Vault-Token: {token}"]);
        }
        if (body is not null)
        {
            args.AddRange(["-H", $"Content-Type: {contentType ?? "application/json"}", "--data-binary", body]);
        }
        args.Add(url);
        var r = (await RunAsync("curl", args)).EnsureSuccess("curl " + method + " " + url);
        var newline = r.Stdout.LastIndexOf('\n');
        return (int.Parse(r.Stdout[(newline + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture), r.Stdout[..newline]);
    }

    public static Task<ToolResult> KubectlAsync(string kubeconfig, string? stdin, params string[] args) =>
        RunAsync("kubectl", ["--kubeconfig", kubeconfig, .. args], stdin: stdin);

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }
}
