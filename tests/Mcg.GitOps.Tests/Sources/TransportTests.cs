using System.Runtime.Versioning;
using Mcg.GitOps.Sources;

namespace Mcg.GitOps.Tests.Sources;

/// <summary>Fetching over git://, http(s) with Basic auth and ssh, from servers run on loopback.</summary>
[SupportedOSPlatform("linux")]
public sealed class TransportTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestRepo _upstream;
    private readonly string _head;
    private readonly string _tagged;

    public TransportTests()
    {
        _upstream = new TestRepo(_dir.Sub("served/team/app"));
        _tagged = _upstream.Commit("first", ("deploy.yaml", "replicas: 1\n"));
        _upstream.Tag("v1", annotated: true);
        _head = _upstream.Commit("second", ("deploy.yaml", "replicas: 2\n"));
    }

    public void Dispose()
    {
        _upstream.Dispose();
        _dir.Dispose();
    }

    private RepositoryCache NewCache(GitBackend backend) => new(new RepositoryCacheOptions
    {
        RootDirectory = _dir.Sub("cache-" + backend),
        Backend = backend,
        MinFetchInterval = TimeSpan.Zero,
    });

    private async Task AssertFetchesAsync(RepositoryCache cache, RepoSource source)
    {
        Assert.Equal(_head, (await cache.ResolveAsync(source, "HEAD")).Sha);
        Assert.Equal(_tagged, (await cache.ResolveAsync(source, "v1")).Sha);
        var third = _upstream.Commit("third", ("deploy.yaml", "replicas: 3\n"));
        Assert.Equal(third, (await cache.ResolveAsync(source, "main")).Sha);
        var path = await cache.CheckoutAsync(source, third);
        Assert.Equal("replicas: 3\n", File.ReadAllText(Path.Combine(path, "deploy.yaml")));
    }

    [Theory]
    [InlineData(GitBackend.LibGit2)]
    [InlineData(GitBackend.Cli)]
    public async Task Fetches_over_the_git_protocol(GitBackend backend)
    {
        await using var daemon = await GitDaemon.StartAsync(_dir.Sub("served"));
        await AssertFetchesAsync(NewCache(backend), new RepoSource($"git://127.0.0.1:{daemon.Port}/team/app"));
    }

    [Theory]
    [InlineData(GitBackend.LibGit2)]
    [InlineData(GitBackend.Cli)]
    public async Task Fetches_over_http_with_basic_auth(GitBackend backend)
    {
        await using var server = GitHttpServer.Start(_dir.Sub("served"), "deployer", "s3cret");
        var credentials = new RepositoryCredentials { Url = "http://127.0.0.1", Username = "deployer", Password = "s3cret" };
        await AssertFetchesAsync(NewCache(backend), new RepoSource($"http://127.0.0.1:{server.Port}/team/app", credentials));
    }

    [Theory]
    [InlineData(GitBackend.LibGit2)]
    [InlineData(GitBackend.Cli)]
    public async Task Fetches_over_http_with_a_token_and_no_user_name(GitBackend backend)
    {
        await using var server = GitHttpServer.Start(_dir.Sub("served"), "git", "glpat-token");
        var credentials = new RepositoryCredentials { Url = "http://127.0.0.1", Password = "glpat-token" };
        var resolved = await NewCache(backend).ResolveAsync(new RepoSource($"http://127.0.0.1:{server.Port}/team/app/", credentials), "main");
        Assert.Equal(_head, resolved.Sha);
    }

    [Theory]
    [InlineData(GitBackend.LibGit2)]
    [InlineData(GitBackend.Cli)]
    public async Task Http_with_a_wrong_password_or_none_fails(GitBackend backend)
    {
        await using var server = GitHttpServer.Start(_dir.Sub("served"), "deployer", "s3cret");
        var url = $"http://127.0.0.1:{server.Port}/team/app";
        var cache = NewCache(backend);

        var wrong = new RepositoryCredentials { Url = url, Username = "deployer", Password = "wrong" };
        var e = await Assert.ThrowsAsync<GitSourceException>(() => cache.ResolveAsync(new RepoSource(url, wrong), "main"));
        Assert.Contains($"127.0.0.1:{server.Port}/team/app", e.Message);
        Assert.DoesNotContain("wrong", e.Message);

        await Assert.ThrowsAsync<GitSourceException>(() => cache.ResolveAsync(new RepoSource(url), "main"));
        Assert.True(server.UnauthorizedCount >= 2);
    }

    [Theory]
    [InlineData("ssh://git@fakehost:2222{0}")]
    [InlineData("git@fakehost:{0}")]
    public async Task Fetches_over_ssh_with_a_private_key_through_the_git_cli(string urlFormat)
    {
        // A stand-in for ssh: records how it was called and the key file's mode, then runs the remote command locally.
        var log = _dir.Sub("ssh.log");
        var fakeSsh = _dir.Sub("fake-ssh");
        File.WriteAllText(fakeSsh, $$"""
            #!/bin/sh
            key=""; port=""
            while [ $# -gt 2 ]; do
              case "$1" in
                -i) key="$2"; shift 2 ;;
                -p) port="$2"; shift 2 ;;
                -o) echo "option $2" >> '{{log}}'; shift 2 ;;
                *) shift ;;
              esac
            done
            echo "host $1 port $port" >> '{{log}}'
            echo "key $(stat -c %a "$key") $(head -n 1 "$key")" >> '{{log}}'
            exec sh -c "$2"
            """.Replace("\r", ""));
        File.SetUnixFileMode(fakeSsh, (UnixFileMode)0b111_000_000);
        var cache = new RepositoryCache(new RepositoryCacheOptions { RootDirectory = _dir.Sub("cache-ssh"), SshExecutable = fakeSsh, MinFetchInterval = TimeSpan.Zero });
        var credentials = new RepositoryCredentials { Url = "git@fakehost:", SshPrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----", Insecure = true };

        await AssertFetchesAsync(cache, new RepoSource(string.Format(System.Globalization.CultureInfo.InvariantCulture, urlFormat, _upstream.Path), credentials));

        var lines = File.ReadAllLines(log);
        Assert.Contains("key 600 -----BEGIN OPENSSH PRIVATE KEY-----", lines);
        Assert.Contains("option IdentitiesOnly=yes", lines);
        Assert.Contains("option StrictHostKeyChecking=no", lines);
        Assert.Contains(lines, l => l.StartsWith("host git@fakehost", StringComparison.Ordinal));
        Assert.Equal(urlFormat.Contains("2222") ? "host git@fakehost port 2222" : "host git@fakehost port ", lines.First(l => l.StartsWith("host", StringComparison.Ordinal)));
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "mcg-ssh-*"), d => Directory.GetCreationTimeUtc(d) > DateTime.UtcNow.AddMinutes(-5));
    }
}
