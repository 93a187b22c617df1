using System.Threading.Channels;
using Mcg.Fleet.Crds;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mcg.WebConsole.Live;

/// <summary>
/// <c>GET /events?watch=applications,...</c>: server-sent events fed by watches on the hub API made with the user's
/// own client (so they see changes only to what they may read). Each change sends <c>event: change</c> with the kind;
/// the page then re-fetches its fragment. Only kinds are sent, never objects.
/// </summary>
public sealed class ChangeStream(ILogger<ChangeStream> logger)
{
    public static readonly IReadOnlyDictionary<string, ResourceRef> Kinds = new Dictionary<string, ResourceRef>(StringComparer.Ordinal)
    {
        ["applications"] = ApplicationController.Applications,
        ["managedclusters"] = OcmCrds.ManagedClusters,
        ["policies"] = OcmCrds.Policies,
        ["manifestworks"] = OcmCrds.ManifestWorks,
    };

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public async Task ServeAsync(HttpContext http, IKubeClient client, string? watch)
    {
        var kinds = (watch ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();
        if (kinds.Count == 0 || kinds.FirstOrDefault(k => !Kinds.ContainsKey(k)) is { } unknown)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsync($"watch: give a comma-separated list of {string.Join(", ", Kinds.Keys)}", http.RequestAborted);
            return;
        }
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync("retry: 2000\n: connected\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        var changes = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watchers = kinds.Select(k => Task.Run(() => WatchAsync(client, k, changes.Writer, stop.Token), stop.Token)).ToList();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(Heartbeat);
                string message;
                try
                {
                    var kind = await changes.Reader.ReadAsync(beat.Token);
                    message = $"event: change\ndata: {kind}\n\n";
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    message = ": ping\n\n"; // keeps proxies and the browser from timing the stream out
                }
                await http.Response.WriteAsync(message, ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watchers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>List for a resourceVersion, then watch from it (resuming after the server ends a watch; re-listing after 410).</summary>
    private async Task WatchAsync(IKubeClient client, string kind, ChannelWriter<string> changes, CancellationToken ct)
    {
        var resource = Kinds[kind];
        string? version = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                version ??= (await client.ListAsync(resource, null, null, ct)).ResourceVersion;
                await foreach (var (type, obj) in client.WatchAsync(resource, null, new WatchOptions { ResourceVersion = version, TimeoutSeconds = 300 }, ct))
                {
                    version = (obj["metadata"]?["resourceVersion"]?.ToString()) ?? version;
                    if (type != WatchEventType.Bookmark)
                    {
                        changes.TryWrite(kind);
                    }
                }
            }
            catch (ResourceVersionExpiredException)
            {
                version = null;
                changes.TryWrite(kind); // something changed while we were away
            }
            catch (KubeApiException e) when (e.StatusCode is 401 or 403 or 404)
            {
                logger.LogDebug("Not watching {Kind} for the console: {Status}", kind, e.StatusCode);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or KubeApiException)
            {
                logger.LogDebug(e, "Console watch of {Kind} failed; retrying", kind);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
        }
    }
}
