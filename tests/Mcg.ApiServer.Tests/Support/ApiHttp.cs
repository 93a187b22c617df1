using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Mcg.ApiServer.Tests.Support;

/// <summary>Plain HTTPS requests to a test server with the admin token.</summary>
public sealed class ApiHttp : IDisposable
{
    private readonly HttpClient _client;

    public ApiHttp(ServerProcess server)
    {
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        _client = new HttpClient(handler) { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(60) };
        var token = File.ReadAllText(Path.Combine(server.DataDir, "admin-token")).Trim();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public sealed record Response(HttpStatusCode Status, string Body, string? ContentType, IReadOnlyList<string> Warnings)
    {
        public int Code => (int)Status;

        public JsonObject Json => JsonNode.Parse(Body) as JsonObject ?? throw new InvalidOperationException($"not a JSON object: {Body}");

        /// <summary>Asserts the status code and returns the body as JSON.</summary>
        public JsonObject Expect(int code)
        {
            Assert.True(Code == code, $"expected {code}, got {Code}: {Body}");
            return Json;
        }
    }

    public Task<Response> GetAsync(string path, string? accept = null) => SendAsync(HttpMethod.Get, path, null, accept: accept);

    public Task<Response> PostAsync(string path, string body) => SendAsync(HttpMethod.Post, path, body);

    public Task<Response> PutAsync(string path, string body) => SendAsync(HttpMethod.Put, path, body);

    public Task<Response> PatchAsync(string path, string body, string contentType = "application/merge-patch+json") =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    public Task<Response> DeleteAsync(string path, string? body = null) => SendAsync(HttpMethod.Delete, path, body);

    public async Task<Response> SendAsync(HttpMethod method, string path, string? body, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        using var response = await _client.SendAsync(request);
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.ToList() : [];
        return new Response(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString(), warnings);
    }

    /// <summary>Opens a watch (<paramref name="path"/> carries the query, <c>watch=true</c> is added) and reads its events as they come.</summary>
    public async Task<WatchSession> WatchAsync(string path)
    {
        var separator = path.Contains('?') ? '&' : '?';
        var request = new HttpRequestMessage(HttpMethod.Get, $"{path}{separator}watch=true");
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new WatchSession(request, response);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>An open watch: its events (one JSON object per line) in order, and whether the server has ended it.</summary>
public sealed class WatchSession : IAsyncDisposable
{
    private readonly HttpRequestMessage _request;
    private readonly HttpResponseMessage _response;
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    internal WatchSession(HttpRequestMessage request, HttpResponseMessage response)
    {
        _request = request;
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpStatusCode Status => _response.StatusCode;

    /// <summary>Completes when the server closes the stream.</summary>
    public Task Closed => _reader;

    /// <summary>The next event, or null when none comes within <paramref name="timeout"/> (or the stream ended).</summary>
    public async Task<JsonObject?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>The next event's type and object name, failing when none comes in time.</summary>
    public async Task<(string Type, JsonObject Object)> ExpectAsync(TimeSpan? timeout = null)
    {
        var evt = await NextAsync(timeout) ?? throw new Xunit.Sdk.XunitException("no watch event arrived");
        return (evt["type"]!.GetValue<string>(), evt["object"]!.AsObject());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        _response.Dispose();
        _request.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    _events.Writer.TryWrite((JsonObject)JsonNode.Parse(line)!);
                }
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
