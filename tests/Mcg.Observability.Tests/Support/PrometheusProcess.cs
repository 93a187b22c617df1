using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.Observability.Tests.Support;

/// <summary>A real Prometheus (Debian package) with a temporary config and TSDB, on a free loopback port.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly StringBuilder _log = new();

    private PrometheusProcess(Process process, string url, string directory)
    {
        _process = process;
        Url = url;
        Directory = directory;
        _http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public string Url { get; }
    public string Directory { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus with <paramref name="config"/> written to DIR/prometheus.yml (files it names are relative to DIR).</summary>
    public static async Task<PrometheusProcess> StartAsync(string directory, string config)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), config);
        var port = FreePort();
        var psi = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var a in new[]
        {
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            psi.ArgumentList.Add(a);
        }
        var prometheus = new PrometheusProcess(Process.Start(psi)!, $"http://127.0.0.1:{port}", directory);
        await Eventually.TrueAsync(prometheus.IsReadyAsync, "Prometheus is ready", TimeSpan.FromSeconds(90));
        return prometheus;
    }

    /// <summary>An instant query through the HTTP API: the <c>data.result</c> vector.</summary>
    public async Task<JsonArray> QueryAsync(string promql)
    {
        var body = JsonNode.Parse(await _http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql)))!;
        Assert.Equal("success", body["status"]?.GetValue<string>());
        return body["data"]!["result"]!.AsArray();
    }

    public async Task<JsonNode> GetJsonAsync(string path) => JsonNode.Parse(await _http.GetStringAsync(path))!;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private async Task<bool> IsReadyAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException("prometheus exited: " + Log);
        }
        try
        {
            return (await _http.GetAsync("/-/ready")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
