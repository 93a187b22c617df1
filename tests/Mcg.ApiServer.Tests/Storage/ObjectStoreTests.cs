using System.Text.Json.Nodes;
using Mcg.ApiServer.Storage;

namespace Mcg.ApiServer.Tests.Storage;

public sealed class ObjectStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcg-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "state.db");

    private static JsonObject ConfigMap(string name, string value) =>
        new() { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" }, ["data"] = new JsonObject { ["v"] = value } };

    [Fact]
    public void ResourceVersionsIncreaseAndPreconditionsHold()
    {
        using var store = new ObjectStore(Db);
        var a = store.Put("/configmaps", ConfigMap("a", "1"), 0);
        var b = store.Put("/configmaps", ConfigMap("b", "1"), 0);
        Assert.True(b.ResourceVersion > a.ResourceVersion);
        Assert.Throws<StorageConflictException>(() => store.Put("/configmaps", ConfigMap("a", "2"), 0));
        Assert.Throws<StorageConflictException>(() => store.Put("/configmaps", ConfigMap("a", "2"), a.ResourceVersion + 100));
        var a2 = store.Put("/configmaps", ConfigMap("a", "2"), a.ResourceVersion);
        Assert.Equal(a2.ResourceVersion.ToString(), a2.Object["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Throws<StorageConflictException>(() => store.Delete("/configmaps", "ns", "a", a.ResourceVersion));
    }

    [Fact]
    public async Task WatchFromResourceVersionDeliversEveryLaterChangeOnceInOrder()
    {
        using var store = new ObjectStore(Db);
        var start = store.Put("/configmaps", ConfigMap("x", "0"), 0);
        var expected = new List<long>();
        var rv = start.ResourceVersion;
        using var watcher = store.Watch("/configmaps", null, start.ResourceVersion, initial: false);
        var writer = Task.Run(() =>
        {
            for (var i = 1; i <= 200; i++)
            {
                rv = store.Put("/configmaps", ConfigMap("x", i.ToString()), rv).ResourceVersion;
                store.Put("/secrets", ConfigMap("s" + i, "x"), 0);
                expected.Add(rv);
            }
            expected.Add(store.Delete("/configmaps", "ns", "x", rv).ResourceVersion);
        });
        var seen = new List<(long, WatchEventType)>();
        await foreach (var e in watcher.ReadAllAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token))
        {
            seen.Add((e.ResourceVersion, e.Type));
            if (e.Type == WatchEventType.Deleted)
            {
                break;
            }
        }
        await writer;
        Assert.Equal(expected, seen.Select(s => s.Item1));
        Assert.All(seen.SkipLast(1), s => Assert.Equal(WatchEventType.Modified, s.Item2));
    }

    [Fact]
    public void StateSurvivesReopenAndOldWatchesExpire()
    {
        long last;
        using (var store = new ObjectStore(Db))
        {
            for (var i = 0; i < 50; i++)
            {
                store.Put("/configmaps", ConfigMap("c" + i, "v"), 0);
            }
            last = store.Delete("/configmaps", "ns", "c0", store.Get("/configmaps", "ns", "c0")!.ResourceVersion).ResourceVersion;
        }
        using var reopened = new ObjectStore(Db);
        Assert.Equal(last, reopened.ResourceVersion);
        Assert.Equal(49, reopened.List("/configmaps", "ns").Items.Count());
        Assert.Null(reopened.Get("/configmaps", "ns", "c0"));
        Assert.Throws<ResourceVersionTooOldException>(() => reopened.Watch("/configmaps", null, last - 5, initial: false));
        using var fresh = reopened.Watch("/configmaps", null, last, initial: false);
        var next = reopened.Put("/configmaps", ConfigMap("new", "v"), 0);
        Assert.True(fresh.Reader.TryRead(out var evt));
        Assert.Equal(next.ResourceVersion, evt!.ResourceVersion);
        Assert.False(fresh.Reader.TryRead(out _));
    }

    [Fact]
    public void HistoryCompactionAnswersTooOld()
    {
        using var store = new ObjectStore(Db, historyCapacity: 10);
        var first = store.Put("/configmaps", ConfigMap("a", "0"), 0).ResourceVersion;
        var rv = first;
        for (var i = 0; i < 20; i++)
        {
            rv = store.Put("/configmaps", ConfigMap("a", i.ToString()), rv).ResourceVersion;
        }
        Assert.Throws<ResourceVersionTooOldException>(() => store.Watch("/configmaps", null, first, initial: false));
        using var ok = store.Watch("/configmaps", null, rv - 5, initial: false);
        var count = 0;
        while (ok.Reader.TryRead(out _))
        {
            count++;
        }
        Assert.Equal(5, count);
    }

    [Fact]
    public void HistoryIsBoundedInBytesToo()
    {
        var value = new string('x', 1000);
        using var store = new ObjectStore(Db, historyCapacity: 1000, historyBytesCapacity: 10_000);
        var first = store.Put("/configmaps", ConfigMap("a", value), 0).ResourceVersion;
        var rv = first;
        for (var i = 0; i < 30; i++)
        {
            rv = store.Put("/configmaps", ConfigMap("a", value + i), rv).ResourceVersion;
        }
        Assert.Throws<ResourceVersionTooOldException>(() => store.Watch("/configmaps", null, first, initial: false));
        Assert.InRange(store.CompactedThrough, rv - 10, rv - 5);
        using var ok = store.Watch("/configmaps", null, store.CompactedThrough, initial: false);
        var count = 0;
        while (ok.Reader.TryRead(out var evt))
        {
            Assert.Equal(value + (evt.ResourceVersion - first - 1), evt.Object.Object["data"]!["v"]!.GetValue<string>());
            count++;
        }
        Assert.Equal(rv - store.CompactedThrough, count);
    }
}
