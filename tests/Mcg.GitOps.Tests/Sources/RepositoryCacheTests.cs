using System.Runtime.Versioning;
using Mcg.GitOps.Sources;

namespace Mcg.GitOps.Tests.Sources;

[SupportedOSPlatform("linux")]
public sealed class RepositoryCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestRepo _upstream;
    private readonly string _first;
    private readonly string _second;

    public RepositoryCacheTests()
    {
        _upstream = new TestRepo(_dir.Sub("upstream"));
        _first = _upstream.Commit("first", ("app/deploy.yaml", "kind: Deployment\n"), ("README.md", "v1\n"));
        _upstream.Tag("v1.0.0");
        _upstream.Tag("v1.0.0-annotated", annotated: true);
        _second = _upstream.Commit("second\n\nwith a body", ("README.md", "v2\n"));
        _upstream.Branch("feature", _first);
    }

    public void Dispose()
    {
        _upstream.Dispose();
        _dir.Dispose();
    }

    private RepositoryCache NewCache(TimeSpan? minFetchInterval = null) =>
        new(new RepositoryCacheOptions { RootDirectory = _dir.Sub("cache"), MinFetchInterval = minFetchInterval ?? TimeSpan.Zero });

    [Theory]
    [InlineData("HEAD", "second")]
    [InlineData("", "second")]
    [InlineData("main", "second")]
    [InlineData("refs/heads/main", "second")]
    [InlineData("feature", "first")]
    [InlineData("v1.0.0", "first")]
    [InlineData("v1.0.0-annotated", "first")]
    [InlineData("refs/tags/v1.0.0", "first")]
    public async Task Resolves_head_branches_and_tags(string revision, string expected)
    {
        var cache = NewCache();
        var resolved = await cache.ResolveAsync(new RepoSource(_upstream.Url), revision);
        Assert.Equal(expected == "first" ? _first : _second, resolved.Sha);
        Assert.Equal(resolved.Sha, resolved.Commit.Sha);
    }

    [Fact]
    public async Task Resolves_full_and_short_shas_and_reports_the_reference()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);

        var full = await cache.ResolveAsync(source, _first.ToUpperInvariant());
        Assert.Equal(_first, full.Sha);
        Assert.Null(full.Reference);

        var shortSha = await cache.ResolveAsync(source, _first[..7]);
        Assert.Equal(_first, shortSha.Sha);

        Assert.Equal("refs/heads/feature", (await cache.ResolveAsync(source, "feature")).Reference);
        Assert.Equal("refs/tags/v1.0.0", (await cache.ResolveAsync(source, "v1.0.0")).Reference);
        Assert.Equal("HEAD", (await cache.ResolveAsync(source, "HEAD")).Reference);
    }

    [Fact]
    public async Task A_branch_wins_over_a_tag_of_the_same_name()
    {
        _upstream.Tag("release");
        _upstream.Branch("release", _first);
        var resolved = await NewCache().ResolveAsync(new RepoSource(_upstream.Url), "release");
        Assert.Equal(_first, resolved.Sha);
        Assert.Equal("refs/heads/release", resolved.Reference);
    }

    [Fact]
    public async Task Head_follows_the_remote_default_branch()
    {
        _upstream.Checkout("feature");
        var resolved = await NewCache().ResolveAsync(new RepoSource(_upstream.Path), "HEAD");
        Assert.Equal(_first, resolved.Sha);
    }

    [Fact]
    public async Task Commit_info_carries_message_author_and_date()
    {
        var resolved = await NewCache().ResolveAsync(new RepoSource(_upstream.Url), "main");
        Assert.Equal("second\n\nwith a body", resolved.Commit.Message.TrimEnd('\n'));
        Assert.Equal("Test Author", resolved.Commit.AuthorName);
        Assert.Equal("author@example.com", resolved.Commit.AuthorEmail);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), resolved.Commit.Date);
    }

    [Fact]
    public async Task History_lists_commits_newest_first()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        await cache.ResolveAsync(source, "main");
        var history = await cache.GetHistoryAsync(source, _second, 10);
        Assert.Equal(new[] { _second, _first }, history.Select(c => c.Sha));
        Assert.Equal(_first, (await cache.GetCommitAsync(source, _first)).Sha);
    }

    [Fact]
    public async Task A_new_commit_is_picked_up_on_the_next_resolve()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        Assert.Equal(_second, (await cache.ResolveAsync(source, "main")).Sha);

        var third = _upstream.Commit("third", ("README.md", "v3\n"));
        Assert.Equal(third, (await cache.ResolveAsync(source, "main")).Sha);
        Assert.Equal(2, cache.FetchCount);
    }

    [Fact]
    public async Task Within_the_minimum_interval_no_refetch_until_invalidated()
    {
        var cache = NewCache(TimeSpan.FromMinutes(10));
        var source = new RepoSource(_upstream.Url);
        await cache.ResolveAsync(source, "main");
        var third = _upstream.Commit("third", ("README.md", "v3\n"));

        Assert.Equal(_second, (await cache.ResolveAsync(source, "main")).Sha);
        Assert.Equal(1, cache.FetchCount);

        cache.Invalidate(_upstream.Url + ".git/");
        Assert.Equal(third, (await cache.ResolveAsync(source, "main")).Sha);
        Assert.Equal(2, cache.FetchCount);
    }

    [Fact]
    public async Task A_full_sha_already_in_the_mirror_needs_no_fetch()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        await cache.ResolveAsync(source, "main");
        await cache.ResolveAsync(source, _first);
        Assert.Equal(1, cache.FetchCount);
    }

    [Fact]
    public async Task Eight_concurrent_resolves_share_one_fetch()
    {
        var cache = NewCache(TimeSpan.FromSeconds(30));
        var source = new RepoSource(_upstream.Url);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await cache.ResolveAsync(source with { Url = i % 2 == 0 ? _upstream.Url : _upstream.Url + "/" }, i % 3 == 0 ? "v1.0.0" : "main");
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(1, cache.FetchCount);
        Assert.All(results.Where(r => r.Revision == "main"), r => Assert.Equal(_second, r.Sha));
        Assert.All(results.Where(r => r.Revision == "v1.0.0"), r => Assert.Equal(_first, r.Sha));
    }

    [Fact]
    public async Task Concurrent_resolves_after_the_interval_fetch_once_more_together()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        await cache.ResolveAsync(source, "main");
        var third = _upstream.Commit("third", ("README.md", "v3\n"));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => cache.ResolveAsync(source, "main")));

        Assert.All(results, r => Assert.Equal(third, r.Sha));
        Assert.InRange(cache.FetchCount, 2, 3); // one fetch covers every request made before it started
    }

    [Theory]
    [InlineData("no-such-branch")]
    [InlineData("deadbeefdeadbeef")]
    [InlineData("0123456789012345678901234567890123456789")]
    [InlineData("abc")]
    public async Task An_unknown_revision_names_the_repository_and_revision(string revision)
    {
        var e = await Assert.ThrowsAsync<RevisionNotFoundException>(() => NewCache().ResolveAsync(new RepoSource(_upstream.Url), revision));
        Assert.Contains(revision, e.Message);
        Assert.Contains(_upstream.Path, e.Message);
        Assert.Equal(revision, e.Revision);
    }

    [Fact]
    public async Task A_branch_deleted_upstream_is_pruned()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        Assert.Equal(_first, (await cache.ResolveAsync(source, "feature")).Sha);
        _upstream.DeleteBranch("feature");
        await Assert.ThrowsAsync<RevisionNotFoundException>(() => cache.ResolveAsync(source, "feature"));
    }

    [Fact]
    public async Task A_missing_repository_fails_with_a_clear_error()
    {
        var cache = NewCache();
        var missing = _dir.Sub("nope");
        var e = await Assert.ThrowsAsync<GitSourceException>(() => cache.ResolveAsync(new RepoSource(missing), "main"));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public async Task Url_variants_share_one_mirror()
    {
        var cache = NewCache(TimeSpan.FromMinutes(1));
        await cache.ResolveAsync(new RepoSource(_upstream.Url), "main");
        await cache.ResolveAsync(new RepoSource(_upstream.Url + "/"), "main");
        await cache.ResolveAsync(new RepoSource(_upstream.Path), "main");
        Assert.Equal(1, cache.FetchCount);
        Assert.Single(Directory.GetDirectories(_dir.Sub("cache/repos")));
        Assert.Equal(cache.GetMirrorPath("https://GitHub.com/org/repo.git/"), cache.GetMirrorPath("https://github.com/org/repo"));
        Assert.NotEqual(cache.GetMirrorPath("https://github.com/org/repo"), cache.GetMirrorPath("https://github.com/org/other"));
    }

    [Fact]
    public async Task Checkout_writes_the_tree_read_only_and_reuses_it()
    {
        Directory.CreateDirectory(Path.Combine(_upstream.Path, "bin"));
        File.WriteAllText(Path.Combine(_upstream.Path, "bin/run.sh"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(_upstream.Path, "bin/run.sh"), (UnixFileMode)0b111_101_101);
        _upstream.Commit("script");
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        var head = await cache.ResolveAsync(source, "main");

        var path = await cache.CheckoutAsync(source, head.Sha);
        Assert.Equal(head.Sha, Path.GetFileName(path));
        Assert.Equal("kind: Deployment\n", File.ReadAllText(Path.Combine(path, "app/deploy.yaml")));
        Assert.Equal("v2\n", File.ReadAllText(Path.Combine(path, "README.md")));
        Assert.False(Directory.Exists(Path.Combine(path, ".git")));
        Assert.Equal((UnixFileMode)0b100_100_100, File.GetUnixFileMode(Path.Combine(path, "README.md")));
        Assert.Equal((UnixFileMode)0b101_101_101, File.GetUnixFileMode(Path.Combine(path, "bin/run.sh")));

        var old = await cache.CheckoutAsync(source, _first);
        Assert.Equal("v1\n", File.ReadAllText(Path.Combine(old, "README.md")));
        Assert.False(File.Exists(Path.Combine(old, "bin/run.sh")));

        var written = File.GetLastWriteTimeUtc(Path.Combine(path, "README.md"));
        Assert.Equal(path, await cache.CheckoutAsync(source, head.Sha));
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(path, "README.md")));
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(path)!, ".tmp-*"));
    }

    [Fact]
    public async Task Concurrent_checkouts_of_one_commit_agree()
    {
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);
        var paths = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => cache.CheckoutAsync(source, _second))));
        Assert.Single(paths.Distinct());
        Assert.Equal("v2\n", File.ReadAllText(Path.Combine(paths[0], "README.md")));
        Assert.Equal(1, cache.FetchCount);
    }

    [Fact]
    public async Task Checkout_keeps_links_inside_the_tree_and_refuses_links_outside()
    {
        File.CreateSymbolicLink(Path.Combine(_upstream.Path, "readme-link"), "README.md");
        var inside = _upstream.Commit("link inside");
        File.CreateSymbolicLink(Path.Combine(_upstream.Path, "passwd"), "../../../../../../etc/passwd");
        var outside = _upstream.Commit("link outside");
        var cache = NewCache();
        var source = new RepoSource(_upstream.Url);

        var path = await cache.CheckoutAsync(source, inside);
        Assert.Equal("README.md", new FileInfo(Path.Combine(path, "readme-link")).LinkTarget);

        var e = await Assert.ThrowsAsync<GitSourceException>(() => cache.CheckoutAsync(source, outside));
        Assert.Contains("passwd", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(path)!, outside)));
    }

    [Fact]
    public async Task Checkout_of_an_unknown_commit_fails()
    {
        var cache = NewCache();
        await Assert.ThrowsAsync<RevisionNotFoundException>(() => cache.CheckoutAsync(new RepoSource(_upstream.Url), new string('a', 40)));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.CheckoutAsync(new RepoSource(_upstream.Url), "main"));
    }

    [Fact]
    public async Task The_cli_backend_resolves_the_same()
    {
        var cache = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = _dir.Sub("cli"), Backend = GitBackend.Cli, MinFetchInterval = TimeSpan.Zero });
        var source = new RepoSource(_upstream.Url);
        Assert.Equal(_second, (await cache.ResolveAsync(source, "HEAD")).Sha);
        Assert.Equal(_first, (await cache.ResolveAsync(source, "v1.0.0-annotated")).Sha);
        Assert.Equal(_first, (await cache.ResolveAsync(source, "feature")).Sha);
        _upstream.DeleteBranch("feature");
        await Assert.ThrowsAsync<RevisionNotFoundException>(() => cache.ResolveAsync(source, "feature"));
    }
}
