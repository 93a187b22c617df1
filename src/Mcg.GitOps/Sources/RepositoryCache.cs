using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.GitOps.Sources;

/// <summary>
/// Local bare mirrors of Git repositories, one per repository URL (<see cref="RepositoryUrl.CacheKey"/>), shared by every
/// Application that uses it, and read-only snapshots of commits' trees. Fetches of one repository are serialised and
/// coalesced: a request is satisfied by a fetch that started at most <see cref="RepositoryCacheOptions.MinFetchInterval"/>
/// before it, so many Applications resolving at once cause one fetch. Reads of a resolved commit take no lock.
/// Layout: <c>{root}/repos/{key}.git</c> and <c>{root}/snapshots/{key}/{sha}</c>.
/// </summary>
public sealed class RepositoryCache
{
    private readonly RepositoryCacheOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GitMetrics _metrics;
    private readonly IGitFetcher _libgit2 = new LibGit2Fetcher();
    private readonly IGitFetcher _cli;
    private readonly ConcurrentDictionary<string, RepoState> _repos = new(StringComparer.Ordinal);
    private long _fetchCount;

    public RepositoryCache(RepositoryCacheOptions options, ILogger<RepositoryCache>? logger = null, TimeProvider? timeProvider = null, GitMetrics? metrics = null)
    {
        _metrics = metrics ?? GitMetrics.Shared;
        _options = options;
        _logger = logger ?? NullLogger<RepositoryCache>.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _cli = new GitCliFetcher(options);
    }

    /// <summary>Fetches started so far (successful or not), over all repositories.</summary>
    public long FetchCount => Interlocked.Read(ref _fetchCount);

    /// <summary>The bare mirror's directory for a repository URL (it may not exist yet).</summary>
    public string GetMirrorPath(string repoUrl) => GetState(repoUrl).MirrorPath;

    /// <summary>
    /// Makes the next resolve of the repository fetch, whatever <see cref="RepositoryCacheOptions.MinFetchInterval"/> says
    /// (for webhooks). Unknown repositories are ignored: their first resolve fetches anyway.
    /// </summary>
    public void Invalidate(string repoUrl)
    {
        if (_repos.TryGetValue(RepositoryUrl.CacheKey(repoUrl), out var state))
        {
            Interlocked.Exchange(ref state.InvalidatedAt, _time.GetTimestamp());
        }
    }

    /// <summary>
    /// Fetches the repository (unless a recent enough fetch covers this request, or the revision is a full SHA already
    /// present) and resolves <paramref name="targetRevision"/>: empty or <c>HEAD</c> (the remote's default branch), a full
    /// reference name, a branch, a tag (a branch wins over a tag of the same name, as in Argo CD), a full SHA or a
    /// short SHA of at least 7 hex digits that is unambiguous.
    /// </summary>
    /// <exception cref="RevisionNotFoundException">The revision names nothing in the repository.</exception>
    public async Task<ResolvedRevision> ResolveAsync(RepoSource source, string? targetRevision, CancellationToken ct = default)
    {
        source.Validate();
        var revision = string.IsNullOrWhiteSpace(targetRevision) ? "HEAD" : targetRevision.Trim();
        var state = GetState(source.Url);
        if (IsFullSha(revision) && Repository.IsValid(state.MirrorPath))
        {
            var local = await Task.Run(() => Resolve(state, source, revision), ct);
            if (local is not null)
            {
                return local;
            }
        }
        await EnsureFetchedAsync(state, source, ct);
        return await Task.Run(() => Resolve(state, source, revision), ct)
            ?? throw new RevisionNotFoundException(source.Url, revision);
    }

    /// <summary>
    /// The directory holding the tree of commit <paramref name="commitSha"/> (a full SHA): created once, atomically
    /// (written to a temporary directory, then renamed), files read-only, and reused afterwards. Fetches when the
    /// commit is not in the mirror yet. Symbolic links pointing outside the tree are refused; submodules are left empty.
    /// </summary>
    public async Task<string> CheckoutAsync(RepoSource source, string commitSha, CancellationToken ct = default)
    {
        source.Validate();
        if (!IsFullSha(commitSha))
        {
            throw new ArgumentException($"'{commitSha}' is not a full commit SHA", nameof(commitSha));
        }
        var sha = commitSha.ToLowerInvariant();
        var state = GetState(source.Url);
        var target = Path.Combine(state.SnapshotsPath, sha);
        if (Directory.Exists(target))
        {
            return target;
        }
        await EnsureCommitAsync(state, source, sha, ct);
        await Task.Run(() => Materialise(state, source, sha, target, ct), ct);
        return target;
    }

    /// <summary>A commit's SHA, message, author and date.</summary>
    public async Task<CommitInfo> GetCommitAsync(RepoSource source, string commitSha, CancellationToken ct = default)
    {
        var history = await GetHistoryAsync(source, commitSha, 1, ct);
        return history[0];
    }

    /// <summary>Up to <paramref name="maxCount"/> commits reachable from <paramref name="commitSha"/>, newest first.</summary>
    public async Task<IReadOnlyList<CommitInfo>> GetHistoryAsync(RepoSource source, string commitSha, int maxCount, CancellationToken ct = default)
    {
        source.Validate();
        if (!IsFullSha(commitSha))
        {
            throw new ArgumentException($"'{commitSha}' is not a full commit SHA", nameof(commitSha));
        }
        commitSha = commitSha.ToLowerInvariant();
        var state = GetState(source.Url);
        await EnsureCommitAsync(state, source, commitSha, ct);
        return await Task.Run(() =>
        {
            using var repo = new Repository(state.MirrorPath);
            var filter = new CommitFilter { IncludeReachableFrom = commitSha, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time };
            return (IReadOnlyList<CommitInfo>)repo.Commits.QueryBy(filter).Take(maxCount).Select(ToInfo).ToList();
        }, ct);
    }

    private RepoState GetState(string repoUrl)
    {
        var key = RepositoryUrl.CacheKey(repoUrl);
        return _repos.GetOrAdd(key, k =>
        {
            var name = DirectoryName(k);
            return new RepoState(Path.Combine(_options.RootDirectory, "repos", name + ".git"), Path.Combine(_options.RootDirectory, "snapshots", name));
        });
    }

    /// <summary>A readable, unique directory name: the URL's host and path (sanitised, shortened) and a hash of the key.</summary>
    private static string DirectoryName(string key)
    {
        var readable = new StringBuilder();
        foreach (var c in key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..])
        {
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        }
        var text = readable.ToString().Trim('_', '.');
        if (text.Length > 60)
        {
            text = text[^60..].TrimStart('_', '.');
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
        return $"{text}-{hash}";
    }

    private async Task EnsureCommitAsync(RepoState state, RepoSource source, string sha, CancellationToken ct)
    {
        if (!await Task.Run(() => HasCommit(state, sha), ct))
        {
            await EnsureFetchedAsync(state, source, ct, () => HasCommit(state, sha));
            if (!await Task.Run(() => HasCommit(state, sha), ct))
            {
                throw new RevisionNotFoundException(source.Url, sha);
            }
        }
    }

    /// <summary>Fetches unless a fetch that started recently enough (or <paramref name="satisfied"/>, checked under the lock) covers the request.</summary>
    private async Task EnsureFetchedAsync(RepoState state, RepoSource source, CancellationToken ct, Func<bool>? satisfied = null)
    {
        var requestedAt = _time.GetTimestamp();
        await state.Lock.WaitAsync(ct);
        try
        {
            if (satisfied?.Invoke() == true)
            {
                return;
            }
            if (state.LastFetch is { } last && last.StartedAt >= Interlocked.Read(ref state.InvalidatedAt)
                && (last.StartedAt >= requestedAt || _time.GetElapsedTime(last.StartedAt, requestedAt) <= _options.MinFetchInterval))
            {
                if (last.Error is not null)
                {
                    throw new GitSourceException(last.Error.Message, last.Error);
                }
                return;
            }

            var startedAt = _time.GetTimestamp();
            Interlocked.Increment(ref _fetchCount);
            var fetcher = _options.Backend switch
            {
                GitBackend.Cli => _cli,
                GitBackend.LibGit2 => _libgit2,
                _ => RepositoryUrl.IsSsh(source.Url) ? _cli : _libgit2,
            };
            _logger.LogInformation("Fetching {Repo}", RepositoryUrl.Redact(source.Url));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.FetchTimeout);
            try
            {
                EnsureMirror(state.MirrorPath);
                // WaitAsync: a libgit2 fetch blocked on a silent server cannot be cancelled, only abandoned.
                await fetcher.FetchAsync(state.MirrorPath, source, timeout.Token).WaitAsync(timeout.Token);
                state.LastFetch = new FetchAttempt(startedAt, null);
                _metrics.RecordFetch(source.Url, _time.GetElapsedTime(startedAt));
                _logger.LogInformation("Fetched {Repo} in {Elapsed} ms", RepositoryUrl.Redact(source.Url), (long)_time.GetElapsedTime(startedAt).TotalMilliseconds);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                var error = e is OperationCanceledException
                    ? new GitSourceException($"fetch from {RepositoryUrl.Redact(source.Url)} timed out after {_options.FetchTimeout}", e)
                    : e as GitSourceException ?? new GitSourceException($"fetch from {RepositoryUrl.Redact(source.Url)} failed: {e.Message}", e);
                state.LastFetch = new FetchAttempt(startedAt, error);
                _metrics.RecordFetch(source.Url, _time.GetElapsedTime(startedAt));
                _logger.LogWarning(e, "Fetch of {Repo} failed", RepositoryUrl.Redact(source.Url));
                throw error;
            }
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>Creates the bare mirror when missing or broken: initialised in a temporary directory, then renamed.</summary>
    private static void EnsureMirror(string path)
    {
        if (Repository.IsValid(path))
        {
            return;
        }
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        var parent = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".tmp-{Guid.NewGuid():N}");
        Repository.Init(temp, isBare: true);
        Directory.Move(temp, path);
    }

    private static bool HasCommit(RepoState state, string sha)
    {
        if (!Repository.IsValid(state.MirrorPath))
        {
            return false;
        }
        using var repo = new Repository(state.MirrorPath);
        return repo.Lookup<Commit>(new ObjectId(sha)) is not null;
    }

    private static ResolvedRevision? Resolve(RepoState state, RepoSource source, string revision)
    {
        using var repo = new Repository(state.MirrorPath);
        if (revision == "HEAD")
        {
            return FromReference(repo, Refspecs.RemoteHead, revision, "HEAD");
        }
        var candidates = revision.StartsWith("refs/", StringComparison.Ordinal)
            ? [revision]
            : new[] { "refs/heads/" + revision, "refs/tags/" + revision };
        foreach (var name in candidates)
        {
            if (FromReference(repo, name, revision, name) is { } resolved)
            {
                return resolved;
            }
        }
        if (revision.Length is >= 7 and <= 40 && revision.All(char.IsAsciiHexDigit))
        {
            revision = revision.ToLowerInvariant();
            try
            {
                var commit = revision.Length == 40 ? repo.Lookup<Commit>(new ObjectId(revision)) : repo.Lookup<Commit>(revision);
                return commit is null ? null : new ResolvedRevision(revision, commit.Sha, null, ToInfo(commit));
            }
            catch (AmbiguousSpecificationException)
            {
                throw new RevisionNotFoundException(source.Url, revision, "the short SHA is ambiguous");
            }
        }
        return null;
    }

    private static ResolvedRevision? FromReference(Repository repo, string name, string revision, string reported)
    {
        try
        {
            var target = repo.Refs[name]?.ResolveToDirectReference()?.Target;
            var commit = target is null ? null : target as Commit ?? target.Peel<Commit>();
            return commit is null ? null : new ResolvedRevision(revision, commit.Sha, reported, ToInfo(commit));
        }
        catch (LibGit2SharpException)
        {
            return null; // an invalid reference name, or a tag of something other than a commit
        }
    }

    private static CommitInfo ToInfo(Commit c) => new(c.Sha, c.Message, c.Author.Name, c.Author.Email, c.Author.When);

    private static bool IsFullSha(string s) => s.Length == 40 && s.All(char.IsAsciiHexDigit);

    private void Materialise(RepoState state, RepoSource source, string sha, string target, CancellationToken ct)
    {
        Directory.CreateDirectory(state.SnapshotsPath);
        var temp = Path.Combine(state.SnapshotsPath, $".tmp-{sha}-{Guid.NewGuid():N}");
        try
        {
            using (var repo = new Repository(state.MirrorPath))
            {
                var commit = repo.Lookup<Commit>(new ObjectId(sha)) ?? throw new RevisionNotFoundException(source.Url, sha);
                Directory.CreateDirectory(temp);
                WriteTree(commit.Tree, temp, temp, ct);
            }
            Directory.Move(temp, target);
            _logger.LogDebug("Checked out {Sha} of {Repo} to {Path}", sha, RepositoryUrl.Redact(source.Url), target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Another checkout of the same commit won the rename: use its snapshot.
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    private static void WriteTree(Tree tree, string directory, string root, CancellationToken ct)
    {
        foreach (var entry in tree)
        {
            ct.ThrowIfCancellationRequested();
            if (entry.Name is "." or ".." || entry.Name.Contains('/') || entry.Name.Contains('\0'))
            {
                throw new GitSourceException($"invalid path '{entry.Path}' in the tree");
            }
            var path = Path.Combine(directory, entry.Name);
            switch (entry.Mode)
            {
                case Mode.Directory:
                    Directory.CreateDirectory(path);
                    WriteTree((Tree)entry.Target, path, root, ct);
                    break;
                case Mode.NonExecutableFile or Mode.NonExecutableGroupWritableFile or Mode.ExecutableFile:
                    using (var content = ((Blob)entry.Target).GetContentStream())
                    using (var file = File.Create(path))
                    {
                        content.CopyTo(file);
                    }
                    if (!OperatingSystem.IsWindows())
                    {
                        var mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                        if (entry.Mode == Mode.ExecutableFile)
                        {
                            mode |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
                        }
                        File.SetUnixFileMode(path, mode);
                    }
                    break;
                case Mode.SymbolicLink:
                    var linkTarget = ((Blob)entry.Target).GetContentText();
                    var resolved = Path.GetFullPath(Path.Combine(directory, linkTarget));
                    if (Path.IsPathRooted(linkTarget) || !(resolved + "/").StartsWith(root + "/", StringComparison.Ordinal))
                    {
                        throw new GitSourceException($"symbolic link '{entry.Path}' points outside the repository ('{linkTarget}')");
                    }
                    File.CreateSymbolicLink(path, linkTarget);
                    break;
                case Mode.GitLink:
                    Directory.CreateDirectory(path); // submodules are not fetched
                    break;
            }
        }
    }

    private sealed record FetchAttempt(long StartedAt, GitSourceException? Error);

    private sealed class RepoState(string mirrorPath, string snapshotsPath)
    {
        public string MirrorPath { get; } = mirrorPath;
        public string SnapshotsPath { get; } = snapshotsPath;
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public FetchAttempt? LastFetch { get; set; }
        public long InvalidatedAt;
    }
}
