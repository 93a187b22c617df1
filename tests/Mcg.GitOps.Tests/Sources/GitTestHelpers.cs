using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LibGit2Sharp;

namespace Mcg.GitOps.Tests.Sources;

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mcg-git-test-").FullName;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a server may still hold a file open; the OS temp cleaner gets it
        }
    }
}

/// <summary>A non-bare repository built with LibGit2Sharp, default branch <c>main</c>.</summary>
internal sealed class TestRepo : IDisposable
{
    private static readonly Signature Author = new("Test Author", "author@example.com", new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Repository _repo;

    public TestRepo(string path)
    {
        Path = path;
        Repository.Init(path);
        _repo = new Repository(path);
        _repo.Refs.UpdateTarget("HEAD", "refs/heads/main");
    }

    public string Path { get; }

    public string Url => "file://" + Path;

    /// <summary>Writes the files (null content deletes) on the checked-out branch and commits; returns the SHA.</summary>
    public string Commit(string message, params (string Path, string? Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            var full = System.IO.Path.Combine(Path, path);
            if (content is null)
            {
                File.Delete(full);
            }
            else
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
                File.WriteAllText(full, content);
            }
        }
        Commands.Stage(_repo, "*");
        return _repo.Commit(message, Author, Author, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    public void Branch(string name, string? sha = null) => _repo.Refs.Add("refs/heads/" + name, new ObjectId(sha ?? _repo.Head.Tip.Sha), allowOverwrite: true);

    public void Checkout(string branch) => Commands.Checkout(_repo, _repo.Branches[branch]);

    public void DeleteBranch(string name) => _repo.Branches.Remove(name);

    public string Tag(string name, bool annotated = false)
    {
        var tag = annotated ? _repo.ApplyTag(name, Author, "release " + name) : _repo.ApplyTag(name);
        return tag.Target.Sha;
    }

    public void Dispose() => _repo.Dispose();
}

internal static class Net
{
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}

/// <summary><c>git daemon</c> serving every repository under a base path on a free loopback port.</summary>
internal sealed class GitDaemon : IAsyncDisposable
{
    private readonly Process _process;

    private GitDaemon(Process process, int port) => (_process, Port) = (process, port);

    public int Port { get; }

    public static async Task<GitDaemon> StartAsync(string basePath)
    {
        var port = Net.FreePort();
        var psi = new ProcessStartInfo("git") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "daemon", "--reuseaddr", "--export-all", "--informative-errors", $"--base-path={basePath}", "--listen=127.0.0.1", $"--port={port}", basePath })
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await Net.WaitForPortAsync(port);
        return new GitDaemon(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>
/// Smart HTTP for git on a free loopback port: an <see cref="HttpListener"/> that checks Basic credentials and hands
/// each request to <c>git http-backend</c> as a CGI script.
/// </summary>
internal sealed class GitHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly string _user;
    private readonly string _password;
    private readonly Task _loop;
    private int _unauthorized;

    private GitHttpServer(string root, string user, string password, int port)
    {
        (_root, _user, _password, Port) = (root, user, password, port);
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public int UnauthorizedCount => Volatile.Read(ref _unauthorized);

    public static GitHttpServer Start(string root, string user, string password) => new(root, user, password, Net.FreePort());

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
            if (request.Headers["Authorization"] != expected)
            {
                Interlocked.Increment(ref _unauthorized);
                response.StatusCode = 401;
                response.AddHeader("WWW-Authenticate", "Basic realm=\"git\"");
                response.Close();
                return;
            }

            var psi = new ProcessStartInfo("git") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("http-backend");
            psi.Environment["GIT_PROJECT_ROOT"] = _root;
            psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
            psi.Environment["REQUEST_METHOD"] = request.HttpMethod;
            psi.Environment["PATH_INFO"] = Uri.UnescapeDataString(request.Url!.AbsolutePath);
            psi.Environment["QUERY_STRING"] = request.Url.Query.TrimStart('?');
            psi.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
            psi.Environment["REMOTE_USER"] = _user;
            psi.Environment["REMOTE_ADDR"] = "127.0.0.1";
            psi.Environment["GATEWAY_INTERFACE"] = "CGI/1.1";
            psi.Environment["HTTP_GIT_PROTOCOL"] = request.Headers["Git-Protocol"] ?? "";
            psi.Environment["HTTP_CONTENT_ENCODING"] = request.Headers["Content-Encoding"] ?? "";
            if (request.ContentLength64 >= 0)
            {
                psi.Environment["CONTENT_LENGTH"] = request.ContentLength64.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            using var cgi = Process.Start(psi)!;
            var stderr = cgi.StandardError.ReadToEndAsync();
            var input = Task.Run(async () =>
            {
                await request.InputStream.CopyToAsync(cgi.StandardInput.BaseStream);
                cgi.StandardInput.Close();
            });

            var output = cgi.StandardOutput.BaseStream;
            response.StatusCode = 200;
            string? line;
            while (!string.IsNullOrEmpty(line = await ReadLineAsync(output)))
            {
                var colon = line.IndexOf(':');
                var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
                if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
                {
                    response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    response.ContentType = value;
                }
                else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    response.AddHeader(name, value);
                }
            }
            response.SendChunked = true;
            await output.CopyToAsync(response.OutputStream);
            await input;
            await cgi.WaitForExitAsync();
            await stderr;
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            response.Abort();
        }
    }

    /// <summary>Reads one CGI header line (ending in LF or CRLF) byte by byte, so the body stays in the stream.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            }
            bytes.Add(one[0]);
        }
        return bytes.Count == 0 ? null : Encoding.ASCII.GetString(bytes.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
