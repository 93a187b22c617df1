using System.Globalization;
using System.Text;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Objects;

namespace Mcg.ApiServer.Http;

/// <summary>
/// Serves one watch: newline-terminated JSON events, filtered by selectors (an object leaving the selection is
/// DELETED, entering it ADDED), until the timeout, the client leaving, or the server stopping.
/// </summary>
public static class WatchStream
{
    public static async Task ServeAsync(RequestContext rc, ObjectStore store, TimeProvider clock, TimeSpan defaultTimeout)
    {
        var rt = rc.Resource;
        var labels = ResourceHandler.ParseLabels(rc.Query("labelSelector"));
        var fields = ResourceHandler.ParseFields(rt, rc.Query("fieldSelector"));
        // A watch on an item path (GET …/configmaps/x?watch=true, or /watch/…/configmaps/x) follows that object only.
        var name = rc.Info.Name;
        var rvText = rc.Query("resourceVersion");
        var sendInitialEvents = rc.Query("sendInitialEvents");
        var unset = string.IsNullOrEmpty(rvText) || rvText == "0";
        var initial = sendInitialEvents switch { "true" => true, "false" => false, _ => unset };
        long fromRv = 0;
        if (!initial && unset)
        {
            fromRv = store.ResourceVersion;
        }
        else if (!initial && !long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out fromRv))
        {
            throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{rvText}\": must be a decimal number");
        }
        // A watch-list client (sendInitialEvents=true) learns where the initial state ends from a BOOKMARK.
        var initialEventsEnd = sendInitialEvents == "true" && rc.Query("allowWatchBookmarks") == "true";
        var timeout = ResourceHandler.IntegerQuery(rc, "timeoutSeconds") is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : defaultTimeout;
        var table = rc.WantsTable;
        var response = rc.Http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        Watcher watcher;
        try
        {
            watcher = store.Watch(rt.StorageKey, rc.Namespace, fromRv, initial);
        }
        catch (ResourceVersionTooOldException e)
        {
            var status = ApiException.Expired(e.Message).ToStatus();
            await WriteLineAsync(response.Body, $"{{\"type\":\"ERROR\",\"object\":{KubeJson.Serialize(status)}}}", rc.Aborted);
            return;
        }
        using (watcher)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(rc.Aborted);
            deadline.CancelAfter(timeout);
            await response.StartAsync(deadline.Token);
            await response.Body.FlushAsync(deadline.Token);
            try
            {
                var reader = watcher.Reader;
                var pendingInitial = watcher.InitialCount;
                if (initialEventsEnd && pendingInitial == 0)
                {
                    await WriteInitialEventsEndAsync(response.Body, rt, watcher.StartResourceVersion, deadline.Token);
                    await response.Body.FlushAsync(deadline.Token);
                }
                while (await reader.WaitToReadAsync(deadline.Token))
                {
                    while (reader.TryRead(out var evt))
                    {
                        await WriteSelectedAsync(evt);
                        if (initialEventsEnd && pendingInitial > 0 && --pendingInitial == 0)
                        {
                            await WriteInitialEventsEndAsync(response.Body, rt, watcher.StartResourceVersion, deadline.Token);
                        }
                    }
                    await response.Body.FlushAsync(deadline.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout or client gone: the stream simply ends, as the apiserver's does.
            }

            async Task WriteSelectedAsync(WatchEvent evt)
            {
                var type = Classify(evt, o => (name.Length == 0 || o.Name == name) && labels.Matches(o.Labels) && fields.Matches(f => ResourceHandler.FieldValue(o, f)));
                if (type is null)
                {
                    return;
                }
                var payload = table
                    ? KubeJson.SerializeToUtf8(TableConverter.Convert(rt, [ResourceHandler.AsVersion(rt, evt.Object.Object)], evt.ResourceVersion.ToString(CultureInfo.InvariantCulture), null, clock.GetUtcNow()))
                    : evt.Object.ApiVersion == rt.GroupVersion ? evt.Object.Json : KubeJson.SerializeToUtf8(ResourceHandler.AsVersion(rt, evt.Object.Object));
                await WriteEventAsync(response.Body, type, payload, deadline.Token);
            }
        }
    }

    /// <summary>The BOOKMARK upstream sends after the initial events of a watch-list request.</summary>
    private static Task WriteInitialEventsEndAsync(Stream body, Resources.ResourceType rt, long rv, CancellationToken ct)
    {
        var bookmark = new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = rt.Kind,
            ["apiVersion"] = rt.GroupVersion,
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture),
                ["annotations"] = new System.Text.Json.Nodes.JsonObject { ["k8s.io/initial-events-end"] = "true" },
            },
        };
        return WriteEventAsync(body, "BOOKMARK", KubeJson.SerializeToUtf8(bookmark), ct);
    }

    /// <summary>The event type this watch reports for a change, or null when the object is outside the selection before and after.</summary>
    internal static string? Classify(WatchEvent evt, Func<StoredObject, bool> selected)
    {
        var now = selected(evt.Object);
        var before = evt.Previous is not null && selected(evt.Previous);
        return evt.Type switch
        {
            WatchEventType.Added => now ? "ADDED" : null,
            WatchEventType.Deleted => before || now ? "DELETED" : null,
            _ when now && before => "MODIFIED",
            _ when now => "ADDED",
            _ when before => "DELETED",
            _ => null,
        };
    }

    private static async Task WriteEventAsync(Stream body, string type, byte[] obj, CancellationToken ct)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var buffer = new byte[head.Length + obj.Length + 2];
        head.CopyTo(buffer, 0);
        obj.CopyTo(buffer, head.Length);
        buffer[^2] = (byte)'}';
        buffer[^1] = (byte)'\n';
        await body.WriteAsync(buffer, ct);
    }

    private static Task WriteLineAsync(Stream body, string line, CancellationToken ct) =>
        body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), ct).AsTask();
}
