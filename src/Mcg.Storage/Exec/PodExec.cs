using System.Text.Json.Nodes;
using Mcg.ApiServer.Extensions;
using Mcg.ApiServer.Http;
using Mcg.Kube.Runtime;
using Mcg.Storage.Nodes;
using Mcg.Storage.Portworx;
using Mcg.Storage.Simulation;
using Mcg.Storage.Volumes;

namespace Mcg.Storage.Exec;

/// <summary>
/// <c>pods/exec</c> for virtual pods: a few file commands run against the pod's mounted volumes (their simulated
/// bytes), so data can be written, survive a reschedule or a node failure, and be read back — through the API only.
/// The request is a POST with <c>{"command": [...], "container": "..."}</c> (or kubectl's <c>command=</c> query
/// parameters); the answer is <c>{"kind": "PodExecResult", "stdout", "stderr", "exitCode"}</c>.
/// </summary>
public sealed class PodExec(SharedInformers informers, PortworxTopology topology, VolumeData data) : ISubresourceHandler
{
    private readonly Informer _pods = informers.For(Resources.Pods);
    private readonly Informer _nodes = informers.For(Resources.Nodes);
    private readonly Informer _claims = informers.For(Resources.PersistentVolumeClaims);
    private readonly Informer _volumes = informers.For(Resources.PersistentVolumes);

    /// <summary>The request body <c>mcg cluster exec</c> sends.</summary>
    public static JsonObject Request(string ns, string pod, string? container, IEnumerable<string> command)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PodExecOptions",
            ["metadata"] = new JsonObject { ["name"] = pod, ["namespace"] = ns },
            ["command"] = new JsonArray([.. command.Select(c => (JsonNode)c)]),
        };
        if (container is not null)
        {
            body["container"] = container;
        }
        return body;
    }

    public async Task<JsonObject> HandleAsync(SubresourceRequest request, CancellationToken ct)
    {
        if (request.Verb is not ("create" or "get"))
        {
            throw ApiException.MethodNotAllowed();
        }
        var command = (request.Body?["command"] as JsonArray)?.Select(c => c?.ToString() ?? "").ToList()
            ?? request.Query.GetValueOrDefault("command")?.ToList() ?? [];
        var containerName = request.Body?["container"]?.ToString() ?? request.Query.GetValueOrDefault("container")?.FirstOrDefault();
        var pod = _pods.Get(request.Namespace, request.Name) ?? throw new ApiException(404, "NotFound", $"pods \"{request.Name}\" not found");
        var container = containerName is null
            ? pod.Items("spec", "containers").FirstOrDefault()
            : pod.Items("spec", "containers").FirstOrDefault(c => c.Str("name") == containerName);
        if (container is null)
        {
            throw ApiException.BadRequest($"container {containerName} is not valid for pod {request.Name}");
        }
        var running = pod.Items("status", "containerStatuses").FirstOrDefault(c => c.Str("name") == container.Str("name"))?.At("state", "running") is not null;
        if (pod.Str("status", "phase") != "Running" || !running)
        {
            throw ApiException.BadRequest($"unable to upgrade connection: container not found (\"{container.Str("name")}\")");
        }
        if (_nodes.Get(null, pod.Str("spec", "nodeName")) is { } node && NodeSimulator.IsFailed(node))
        {
            var ip = node.Items("status", "addresses").FirstOrDefault(a => a.Str("type") == "InternalIP")?.Str("address");
            throw new ApiException(500, "InternalError", $"error dialing backend: dial tcp {ip}:10250: connect: no route to host");
        }
        return command switch
        {
            ["write", var path, .. var words] => await WriteAsync(pod, container, path, string.Join(' ', words), append: false, ct),
            ["append", var path, .. var words] => await WriteAsync(pod, container, path, string.Join(' ', words), append: true, ct),
            ["read" or "cat", var path] => await ReadAsync(pod, container, path, ct),
            ["ls", var path] => await ListAsync(pod, container, path, ct),
            [] => throw ApiException.BadRequest("you must specify at least one command for the container"),
            _ => Result("", $"{command[0]}: not supported by the simulated container (use write PATH TEXT, append PATH TEXT, read PATH or ls DIR)\n", 127),
        };
    }

    private async Task<JsonObject> WriteAsync(JsonObject pod, JsonObject container, string path, string text, bool append, CancellationToken ct)
    {
        if (Resolve(pod, container, path) is not { } target)
        {
            return NoVolume(path);
        }
        if (target.Error is not null)
        {
            return Result("", $"{path}: {target.Error}\n", 1);
        }
        if (IsReadOnlyMount(container, path))
        {
            return Result("", $"{path}: Read-only file system\n", 1);
        }
        await data.WriteAsync(target.Location!.Volume, target.Location.Reachable, target.RelativePath, text, append, ct);
        return Result("", "", 0);
    }

    private async Task<JsonObject> ReadAsync(JsonObject pod, JsonObject container, string path, CancellationToken ct)
    {
        if (Resolve(pod, container, path) is not { } target)
        {
            return NoVolume(path);
        }
        if (target.Error is not null)
        {
            return Result("", $"{path}: {target.Error}\n", 1);
        }
        var files = await data.ReadAsync(target.Location!.Volume, target.Location.Reachable, ct);
        return files?[target.RelativePath]?.GetValue<string>() is { } text
            ? Result(text, "", 0)
            : Result("", $"cat: {path}: No such file or directory\n", 1);
    }

    private async Task<JsonObject> ListAsync(JsonObject pod, JsonObject container, string path, CancellationToken ct)
    {
        if (Resolve(pod, container, path.TrimEnd('/') + "/.") is not { } target)
        {
            return NoVolume(path);
        }
        if (target.Error is not null)
        {
            return Result("", $"{path}: {target.Error}\n", 1);
        }
        var dir = target.RelativePath[..^1];
        var files = await data.ReadAsync(target.Location!.Volume, target.Location.Reachable, ct) ?? [];
        var names = files.Select(f => f.Key).Where(k => k.StartsWith(dir, StringComparison.Ordinal)).Select(k => k[dir.Length..].Split('/')[0]).Distinct().Order(StringComparer.Ordinal);
        return Result(string.Join("", names.Select(n => n + "\n")), "", 0);
    }

    private static bool IsReadOnlyMount(JsonObject container, string path) =>
        container.Items("volumeMounts").Where(m => path.StartsWith(m.Str("mountPath").TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Str("mountPath").Length).FirstOrDefault()?.Bool("readOnly") == true;

    private sealed record Target(VolumeLocation? Location, string RelativePath, string? Error);

    /// <summary>The volume mounted at the longest mountPath containing <paramref name="path"/>.</summary>
    private Target? Resolve(JsonObject pod, JsonObject container, string path)
    {
        if (!path.StartsWith('/'))
        {
            return new Target(null, "", "the path must be absolute");
        }
        var mount = container.Items("volumeMounts")
            .Where(m => path.StartsWith(m.Str("mountPath").TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Str("mountPath").Length).FirstOrDefault();
        if (mount is null)
        {
            return null;
        }
        var relative = path[(mount.Str("mountPath").TrimEnd('/').Length + 1)..];
        if (mount.Str("subPath") is { Length: > 0 } sub)
        {
            relative = sub.TrimEnd('/') + "/" + relative;
        }
        var volume = pod.Items("spec", "volumes").FirstOrDefault(v => v.Str("name") == mount.Str("name"));
        var claim = volume?.Str("persistentVolumeClaim", "claimName");
        if (string.IsNullOrEmpty(claim))
        {
            return new Target(null, relative, "only persistent volumes keep data in a virtual cluster");
        }
        var pvc = _claims.Get(pod.Str("metadata", "namespace"), claim);
        var pv = pvc is null ? null : _volumes.Get(null, pvc.Str("spec", "volumeName"));
        if (pv is null || topology.Locate(pv) is not { } location)
        {
            return new Target(null, relative, "the volume is not provided by a simulated storage driver");
        }
        return location.Reachable.Count == 0
            ? new Target(location, relative, "Input/output error (no replica of the volume is reachable)")
            : new Target(location, relative, null);
    }

    private static JsonObject NoVolume(string path) => Result("", $"{path}: not on a mounted volume of the container\n", 1);

    private static JsonObject Result(string stdout, string stderr, int exitCode) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PodExecResult",
        ["stdout"] = stdout,
        ["stderr"] = stderr,
        ["exitCode"] = exitCode,
    };
}
