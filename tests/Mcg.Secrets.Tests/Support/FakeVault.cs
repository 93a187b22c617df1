using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Tests.Support;

/// <summary>One HTTP request as the fake Vault received it.</summary>
public sealed record RecordedRequest(string Method, string RawPath, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);
}

/// <summary>
/// A minimal Vault on a local HttpListener that records every request: KV v2 data read/write, password policies and
/// generation, the KV preflight, the <c>{"errors":[...]}</c> error shape and token checks. <see cref="Respond"/>
/// overrides the response for chosen requests.
/// </summary>
public sealed class FakeVault : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly Lock gate = new();
    private int generated;

    public FakeVault(string token = "root-token")
    {
        Token = token;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Address = $"http://127.0.0.1:{port}/";
        listener.Prefixes.Add(Address);
        listener.Start();
        loop = Task.Run(LoopAsync);
    }

    public string Address { get; }

    public string Token { get; }

    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>KV v2 data by "mount/path": every version, latest last.</summary>
    public Dictionary<string, List<JsonObject>> Kv { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> PasswordPolicies { get; } = new(StringComparer.Ordinal);

    /// <summary>Mount → (type, options.version) for <c>sys/internal/ui/mounts</c>; unknown mounts answer 404.</summary>
    public Dictionary<string, (string Type, string Version)> Mounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Return a (status, body) to answer a request yourself, or null for the default behaviour.</summary>
    public Func<RecordedRequest, (int Status, string? Body)?>? Respond { get; set; }

    public List<RecordedRequest> Snapshot()
    {
        lock (gate)
        {
            return [.. Requests];
        }
    }

    private async Task LoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await listener.GetContextAsync().WaitAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested || !listener.IsListening)
            {
                return;
            }
            try
            {
                await HandleAsync(ctx);
            }
            catch (Exception e)
            {
                await WriteAsync(ctx.Response, 500, new JsonObject { ["errors"] = new JsonArray(e.Message) }.ToJsonString());
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        var rawPath = ctx.Request.RawUrl ?? "/";
        var req = new RecordedRequest(ctx.Request.HttpMethod, rawPath, ctx.Request.ContentType, headers, body);
        lock (gate)
        {
            Requests.Add(req);
        }
        if (Respond?.Invoke(req) is { } custom)
        {
            await WriteAsync(ctx.Response, custom.Status, custom.Body);
            return;
        }
        var (status, response) = Default(req);
        await WriteAsync(ctx.Response, status, response);
    }

    private (int, string?) Default(RecordedRequest req)
    {
        static string Errors(params string[] errors) => new JsonObject { ["errors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray()) }.ToJsonString();
        if (!req.Headers.TryGetValue("X-Vault-Token", out var token) || token != Token)
        {
            return (403, Errors("permission denied"));
        }
        var path = Uri.UnescapeDataString(req.RawPath.Split('?')[0]);
        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            return (404, Errors());
        }
        path = path[4..];
        lock (gate)
        {
            if (path.StartsWith("sys/internal/ui/mounts/", StringComparison.Ordinal))
            {
                var mount = path["sys/internal/ui/mounts/".Length..].Trim('/');
                return Mounts.TryGetValue(mount, out var m)
                    ? (200, new JsonObject { ["data"] = new JsonObject { ["path"] = mount + "/", ["type"] = m.Type, ["options"] = new JsonObject { ["version"] = m.Version } } }.ToJsonString())
                    : (404, Errors());
            }
            if (path.StartsWith("sys/policies/password/", StringComparison.Ordinal))
            {
                var rest = path["sys/policies/password/".Length..];
                if (rest.EndsWith("/generate", StringComparison.Ordinal) && req.Method == "GET")
                {
                    var name = rest[..^"/generate".Length];
                    return PasswordPolicies.ContainsKey(name)
                        ? (200, new JsonObject { ["data"] = new JsonObject { ["password"] = $"Gen{++generated}-{name}!" } }.ToJsonString())
                        : (400, Errors($"policy \"{name}\" does not exist"));
                }
                if (req.Method is "PUT" or "POST")
                {
                    var policy = req.Json?["policy"]?.GetValue<string>();
                    if (string.IsNullOrEmpty(policy))
                    {
                        return (400, Errors("missing policy"));
                    }
                    PasswordPolicies[rest] = policy;
                    return (204, null);
                }
            }
            var at = path.IndexOf("/data/", StringComparison.Ordinal);
            if (at > 0)
            {
                var key = path[..at] + "/" + path[(at + "/data/".Length)..];
                if (req.Method == "GET")
                {
                    if (!Kv.TryGetValue(key, out var versions))
                    {
                        return (404, Errors());
                    }
                    return (200, new JsonObject
                    {
                        ["request_id"] = Guid.NewGuid().ToString(),
                        ["lease_id"] = "",
                        ["renewable"] = false,
                        ["lease_duration"] = 0,
                        ["data"] = new JsonObject
                        {
                            ["data"] = versions[^1].DeepClone(),
                            ["metadata"] = new JsonObject { ["created_time"] = "2026-01-01T00:00:00Z", ["custom_metadata"] = null, ["deletion_time"] = "", ["destroyed"] = false, ["version"] = versions.Count },
                        },
                        ["wrap_info"] = null,
                        ["warnings"] = null,
                        ["auth"] = null,
                    }.ToJsonString());
                }
                if (req.Method is "POST" or "PUT")
                {
                    if (req.Json?["data"] is not JsonObject data)
                    {
                        return (400, Errors("no data provided"));
                    }
                    if (!Kv.TryGetValue(key, out var versions))
                    {
                        Kv[key] = versions = [];
                    }
                    versions.Add((JsonObject)data.DeepClone());
                    return (200, new JsonObject { ["data"] = new JsonObject { ["version"] = versions.Count, ["created_time"] = "2026-01-01T00:00:00Z", ["deletion_time"] = "", ["destroyed"] = false } }.ToJsonString());
                }
            }
        }
        return (404, Errors());
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string? body)
    {
        response.StatusCode = status;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            response.ContentType = "application/json";
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
        }
        response.Close();
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
