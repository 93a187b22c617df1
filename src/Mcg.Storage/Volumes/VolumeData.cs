using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Storage.Volumes;

/// <summary>
/// The bytes of simulated volumes: one small file per replica (<c>DATA/volumes/VOLUME/NODE.json</c>) holding the files
/// written into the volume and a version counter, and one per snapshot (<c>DATA/snapshots/ID.json</c>). Writes go to
/// every reachable replica; reads take the newest reachable replica, so a replica that missed writes while its node
/// was down never wins.
/// </summary>
public sealed class VolumeData(string dataDirectory)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();
    private readonly string _volumes = Path.Combine(dataDirectory, "volumes");
    private readonly string _snapshots = Path.Combine(dataDirectory, "snapshots");

    public async Task CreateAsync(string volume, IEnumerable<string> replicaNodes, JsonObject? files, CancellationToken ct)
    {
        await WithLockAsync(volume, async () =>
        {
            foreach (var node in replicaNodes)
            {
                await SaveAsync(ReplicaPath(volume, node), new Replica(1, files?.DeepClone().AsObject() ?? []), ct);
            }
        });
    }

    public async Task WriteAsync(string volume, IReadOnlyCollection<string> reachable, string path, string text, bool append, CancellationToken ct)
    {
        await WithLockAsync(volume, async () =>
        {
            var newest = await NewestAsync(volume, reachable, ct) ?? throw new IOException($"volume {volume} has no reachable replica");
            var files = newest.Files.DeepClone().AsObject();
            files[path] = (append ? files[path]?.GetValue<string>() ?? "" : "") + text;
            var next = new Replica(newest.Version + 1, files);
            foreach (var node in reachable)
            {
                await SaveAsync(ReplicaPath(volume, node), next, ct);
            }
        });
    }

    /// <summary>The files of the newest reachable replica; null when none is reachable.</summary>
    public async Task<JsonObject?> ReadAsync(string volume, IReadOnlyCollection<string> reachable, CancellationToken ct)
    {
        JsonObject? result = null;
        await WithLockAsync(volume, async () => result = (await NewestAsync(volume, reachable, ct))?.Files);
        return result;
    }

    /// <summary>Brings the replicas on <paramref name="nodes"/> up to date from the newest reachable one (after a node came back).</summary>
    public async Task ResyncAsync(string volume, IReadOnlyCollection<string> reachable, CancellationToken ct)
    {
        await WithLockAsync(volume, async () =>
        {
            if (await NewestAsync(volume, reachable, ct) is { } newest)
            {
                foreach (var node in reachable)
                {
                    await SaveAsync(ReplicaPath(volume, node), newest, ct);
                }
            }
        });
    }

    public async Task SnapshotAsync(string volume, IReadOnlyCollection<string> reachable, string snapshot, CancellationToken ct)
    {
        var files = await ReadAsync(volume, reachable, ct) ?? throw new IOException($"volume {volume} has no reachable replica");
        await SaveAsync(Path.Combine(_snapshots, Safe(snapshot) + ".json"), new Replica(1, files), ct);
    }

    public async Task<JsonObject?> SnapshotFilesAsync(string snapshot, CancellationToken ct) =>
        (await LoadAsync(Path.Combine(_snapshots, Safe(snapshot) + ".json"), ct))?.Files;

    public void Delete(string volume)
    {
        var dir = Path.Combine(_volumes, Safe(volume));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public void DeleteSnapshot(string snapshot) => File.Delete(Path.Combine(_snapshots, Safe(snapshot) + ".json"));

    private async Task<Replica?> NewestAsync(string volume, IReadOnlyCollection<string> reachable, CancellationToken ct)
    {
        Replica? newest = null;
        foreach (var node in reachable)
        {
            if (await LoadAsync(ReplicaPath(volume, node), ct) is { } replica && (newest is null || replica.Version > newest.Version))
            {
                newest = replica;
            }
        }
        return newest;
    }

    private string ReplicaPath(string volume, string node) => Path.Combine(_volumes, Safe(volume), Safe(node) + ".json");

    /// <summary>Names come from API objects: keep them to one path segment.</summary>
    private static string Safe(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name is not ("." or "..")
            ? name
            : throw new ArgumentException($"\"{name}\" is not a valid volume, node or snapshot name");

    private static async Task<Replica?> LoadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path, ct)) as JsonObject
            ?? throw new IOException($"{path}: not a JSON object");
        return new Replica(json["version"]?.GetValue<long>() ?? 0, json["files"] as JsonObject ?? []);
    }

    private static async Task SaveAsync(string path, Replica replica, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, KubeJson.Serialize(new JsonObject { ["version"] = replica.Version, ["files"] = replica.Files.DeepClone() }), ct);
        File.Move(tmp, path, overwrite: true);
    }

    private async Task WithLockAsync(string volume, Func<Task> action)
    {
        var gate = _locks.GetOrAdd(volume, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            await action();
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed record Replica(long Version, JsonObject Files);
}
