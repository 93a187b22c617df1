using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mcg.Kube.Tests.Client;

public sealed record RecordedRequest(string Method, string PathAndQuery, string? ContentType, string? Authorization, string Body);

/// <summary>A local HTTP server that records requests and answers them with a handler.</summary>
public sealed class RecordingServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<RecordedRequest, HttpListenerResponse, Task> _handler;

    public RecordingServer(Func<RecordedRequest, HttpListenerResponse, Task> handler)
    {
        _handler = handler;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public string Url { get; }
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task RespondAsync(HttpListenerResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(json);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    public void Dispose() => _listener.Close();

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var request = new RecordedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "",
                    context.Request.ContentType, context.Request.Headers["Authorization"], await reader.ReadToEndAsync());
                Requests.Enqueue(request);
                try
                {
                    await _handler(request, context.Response);
                }
                catch (Exception ex)
                {
                    await RespondAsync(context.Response, 599, $$"""{"error":"{{ex.GetType().Name}}"}""");
                }
            });
        }
    }
}
