using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;

[assembly: SupportedOSPlatform("linux")]

namespace Mcg.Secrets.Tests.Support;

/// <summary>Runs external tools (ansible-vault, the built mcg CLI) with captured output.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Out, string Err, byte[] OutBytes)
    {
        public Result Ok()
        {
            Assert.True(ExitCode == 0, $"exit {ExitCode}\nstderr: {Err}\nstdout: {Out}");
            return this;
        }
    }

    /// <summary>Debian's ansible-vault (package ansible-core); the tests need it installed.</summary>
    public static string AnsibleVault => Require("/usr/bin/ansible-vault", "ansible-vault", "ansible-core");

    /// <summary>The system Python that has ansible's modules (package ansible-core).</summary>
    public static string AnsiblePython => Require("/usr/bin/python3", "python3 with ansible", "ansible-core");

    public static string Ansible => Require("/usr/bin/ansible", "ansible", "ansible-core");

    private static string Require(string path, string what, string package)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{what} ({path}) is required by these tests: apt-get install -y {package}");
        }
        return path;
    }

    public static Task<Result> AnsibleVaultAsync(string workDir, params string[] args) => RunAsync(AnsibleVault, args, workDir);

    /// <summary>Runs <c>dotnet mcg.dll ARGS</c> (the CLI built next to the tests).</summary>
    public static Task<Result> McgAsync(string workDir, IReadOnlyDictionary<string, string?>? env, byte[]? stdin, params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mcg.dll"), .. args], workDir, env, stdin);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string workDir, IReadOnlyDictionary<string, string?>? env = null,
        byte[]? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workDir,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // Keep the machine's ansible configuration and vault password out of the tests.
        psi.Environment.Remove("ANSIBLE_VAULT_PASSWORD_FILE");
        psi.Environment.Remove("ANSIBLE_CONFIG");
        psi.Environment.Remove("VALUES_SECRET");
        psi.Environment["ANSIBLE_LOCAL_TEMP"] = Path.Combine(workDir, ".ansible-tmp");
        psi.Environment["ANSIBLE_HOME"] = Path.Combine(workDir, ".ansible-home");
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                if (v is null)
                {
                    psi.Environment.Remove(k);
                }
                else
                {
                    psi.Environment[k] = v;
                }
            }
        }
        using var p = Process.Start(psi)!;
        var stdoutTask = Task.Run(async () =>
        {
            using var ms = new MemoryStream();
            await p.StandardOutput.BaseStream.CopyToAsync(ms);
            return ms.ToArray();
        });
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.BaseStream.WriteAsync(stdin);
        }
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} timed out; stderr: {await stderrTask}");
        }
        var outBytes = await stdoutTask;
        return new Result(p.ExitCode, Encoding.UTF8.GetString(outBytes), await stderrTask, outBytes);
    }
}

/// <summary>A temporary directory removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("mcg-secrets-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content, UnixFileMode? mode = null)
    {
        var path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        if (mode is { } m)
        {
            System.IO.File.SetUnixFileMode(path, m);
        }
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
