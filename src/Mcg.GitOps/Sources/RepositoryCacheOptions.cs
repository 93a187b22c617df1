namespace Mcg.GitOps.Sources;

/// <summary>How fetches are made: LibGit2Sharp, or the <c>git</c> command line.</summary>
public enum GitBackend
{
    /// <summary>LibGit2Sharp for file, git and http(s); the <c>git</c> CLI for ssh (LibGit2Sharp has no ssh key credentials).</summary>
    Auto,
    LibGit2,
    Cli,
}

public sealed class RepositoryCacheOptions
{
    /// <summary>Holds <c>repos/</c> (bare mirrors) and <c>snapshots/</c> (checked-out trees keyed by commit).</summary>
    public required string RootDirectory { get; init; }

    /// <summary>
    /// A fetch that started at most this long before a request satisfies it; requests while a fetch runs wait for it
    /// (or for the one next fetch when it started too early). <see cref="RepositoryCache.Invalidate"/> overrides it.
    /// </summary>
    public TimeSpan MinFetchInterval { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public GitBackend Backend { get; init; } = GitBackend.Auto;

    /// <summary>The <c>git</c> executable, for the CLI backend.</summary>
    public string GitExecutable { get; init; } = "git";

    /// <summary>The <c>ssh</c> executable that <c>GIT_SSH_COMMAND</c> runs.</summary>
    public string SshExecutable { get; init; } = "ssh";

    /// <summary>A known_hosts file for ssh; when null, ssh's own (<c>~/.ssh/known_hosts</c>) is used. Ignored for insecure repositories.</summary>
    public string? SshKnownHostsFile { get; init; }
}
