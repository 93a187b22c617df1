using System.Diagnostics;
using System.Text;
using LibGit2Sharp;

namespace Mcg.GitOps.Sources;

/// <summary>Updates a bare mirror from its remote: all branches and tags (pruned), and the remote <c>HEAD</c>.</summary>
internal interface IGitFetcher
{
    Task FetchAsync(string mirrorPath, RepoSource source, CancellationToken ct);
}

internal static class Refspecs
{
    /// <summary>Where the remote's <c>HEAD</c> (its default branch) is kept in a mirror.</summary>
    public const string RemoteHead = "refs/mcg/HEAD";

    public static readonly string[] All = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+HEAD:" + RemoteHead];
}

/// <summary>Fetches with LibGit2Sharp: file paths, <c>file://</c>, <c>git://</c> and http(s) with user name and password/token.</summary>
internal sealed class LibGit2Fetcher : IGitFetcher
{
    public Task FetchAsync(string mirrorPath, RepoSource source, CancellationToken ct) => Task.Run(() =>
    {
        using var repo = new Repository(mirrorPath);
        using var remote = repo.Network.Remotes["origin"];
        if (remote is null)
        {
            repo.Network.Remotes.Add("origin", source.Url.Trim(), Refspecs.All[0]);
        }
        else if (remote.Url != source.Url.Trim())
        {
            repo.Network.Remotes.Update("origin", r => r.Url = source.Url.Trim());
        }

        var creds = source.Credentials;
        var attempts = 0;
        var options = new FetchOptions
        {
            Prune = true,
            TagFetchMode = TagFetchMode.None,
            OnTransferProgress = _ => !ct.IsCancellationRequested,
            OnProgress = _ => !ct.IsCancellationRequested,
            CredentialsProvider = (_, userFromUrl, types) =>
            {
                if (creds?.Password is not { Length: > 0 } password || !types.HasFlag(SupportedCredentialTypes.UsernamePassword))
                {
                    throw new GitSourceException($"{RepositoryUrl.Redact(source.Url)} asks for credentials and none are configured");
                }
                if (++attempts > 1)
                {
                    throw new GitSourceException($"authentication to {RepositoryUrl.Redact(source.Url)} failed");
                }
                return new UsernamePasswordCredentials { Username = creds.Username ?? userFromUrl ?? "git", Password = password };
            },
        };
        if (creds?.Insecure == true)
        {
            options.CertificateCheck = (_, _, _) => true;
        }

        try
        {
            Commands.Fetch(repo, "origin", Refspecs.All, options, null);
        }
        catch (UserCancelledException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (LibGit2SharpException e) when (e is not UserCancelledException)
        {
            throw new GitSourceException($"fetch from {RepositoryUrl.Redact(source.Url)} failed: {e.Message}", e);
        }
    }, ct);
}

/// <summary>
/// Fetches with the <c>git</c> command line. ssh: the key goes to a temporary 0600 file used through
/// <c>GIT_SSH_COMMAND</c> (<c>-i key -o IdentitiesOnly=yes -o BatchMode=yes</c>, plus host key options);
/// http(s): the credentials go as an <c>Authorization: Basic</c> header through <c>GIT_CONFIG_*</c> variables,
/// so they appear in no command line.
/// </summary>
internal sealed class GitCliFetcher(RepositoryCacheOptions options) : IGitFetcher
{
    public async Task FetchAsync(string mirrorPath, RepoSource source, CancellationToken ct)
    {
        var creds = source.Credentials;
        var env = new Dictionary<string, string>
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_ASKPASS"] = "",
            ["SSH_ASKPASS"] = "",
            ["LC_ALL"] = "C",
        };
        var config = new List<(string Key, string Value)>();
        string? keyDir = null;
        try
        {
            if (RepositoryUrl.IsSsh(source.Url))
            {
                var ssh = new StringBuilder(Quote(options.SshExecutable)).Append(" -o BatchMode=yes");
                if (creds?.SshPrivateKey is { Length: > 0 } key)
                {
                    keyDir = Directory.CreateTempSubdirectory("mcg-ssh-").FullName;
                    var keyFile = Path.Combine(keyDir, "key");
                    await WritePrivateFileAsync(keyFile, key.ReplaceLineEndings("\n").TrimEnd('\n') + "\n", ct);
                    ssh.Append(" -i ").Append(Quote(keyFile)).Append(" -o IdentitiesOnly=yes");
                }
                if (creds?.Insecure == true)
                {
                    ssh.Append(" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null");
                }
                else if (options.SshKnownHostsFile is { } knownHosts)
                {
                    ssh.Append(" -o StrictHostKeyChecking=yes -o UserKnownHostsFile=").Append(Quote(knownHosts));
                }
                env["GIT_SSH_COMMAND"] = ssh.ToString();
                env["GIT_SSH_VARIANT"] = "ssh";
            }
            else if (!RepositoryUrl.IsLocal(source.Url))
            {
                if (creds?.Password is { Length: > 0 } password)
                {
                    var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{creds.Username ?? "git"}:{password}"));
                    config.Add(("http.extraHeader", "Authorization: Basic " + basic));
                }
                if (creds?.Insecure == true)
                {
                    config.Add(("http.sslVerify", "false"));
                }
            }
            env["GIT_CONFIG_COUNT"] = config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < config.Count; i++)
            {
                env[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
                env[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
            }

            string[] args = ["--git-dir", mirrorPath, "fetch", "--prune", "--no-tags", "--quiet", "--", source.Url.Trim(), .. Refspecs.All];
            var (exit, stderr) = await RunAsync(options.GitExecutable, args, env, ct);
            if (exit != 0)
            {
                throw new GitSourceException($"fetch from {RepositoryUrl.Redact(source.Url)} failed: {stderr.Trim()}");
            }
        }
        finally
        {
            if (keyDir is not null)
            {
                Directory.Delete(keyDir, recursive: true);
            }
        }
    }

    private static async Task WritePrivateFileAsync(string path, string content, CancellationToken ct)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var stream = new FileStream(path, fileOptions);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content), ct);
    }

    /// <summary>Single-quotes a word for the shell that runs <c>GIT_SSH_COMMAND</c>.</summary>
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<(int ExitCode, string Stderr)> RunAsync(string file, IEnumerable<string> args, Dictionary<string, string> env, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in env)
        {
            psi.Environment[key] = value;
        }
        using var process = Process.Start(psi) ?? throw new GitSourceException($"could not start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }
            throw;
        }
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
