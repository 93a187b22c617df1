using System.Text.Json.Nodes;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Kubelet;

/// <summary>The pod status the kubelet reports in each state (conditions, container statuses, IPs) as upstream's status manager.</summary>
internal static class PodStatus
{
    public static JsonObject Waiting(JsonObject pod, JsonObject node, Blocker blocker, DateTimeOffset now)
    {
        var status = Base(pod, node, now, "Pending");
        var names = ContainerNames(pod);
        status["conditions"] = Conditions(pod, now, initialized: true, ready: false, names);
        status["containerStatuses"] = new JsonArray([.. pod.Items("spec", "containers").Select(c => (JsonNode)Container(c, false, false,
            new JsonObject { ["waiting"] = Waiting(blocker) }))]);
        return status;
    }

    public static JsonObject Running(JsonObject pod, JsonObject node, DateTimeOffset now, bool ready)
    {
        var status = Base(pod, node, now, "Running");
        var started = Json.Timestamp(pod.Time("status", "startTime") ?? now);
        var running = pod.Items("status", "containerStatuses").Any(c => c.At("state", "running") is not null);
        status["conditions"] = Conditions(pod, now, initialized: true, ready, ContainerNames(pod));
        status["containerStatuses"] = new JsonArray([.. pod.Items("spec", "containers").Select(c => (JsonNode)Container(c, ready, true,
            new JsonObject { ["running"] = new JsonObject { ["startedAt"] = running ? StartedAt(pod, c.Str("name")) ?? started : started } }))]);
        if (pod.Items("spec", "initContainers").Any())
        {
            status["initContainerStatuses"] = new JsonArray([.. pod.Items("spec", "initContainers").Select(c => (JsonNode)Container(c, false, false,
                new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["startedAt"] = started, ["finishedAt"] = started } }))]);
        }
        return status;
    }

    public static JsonObject Terminated(JsonObject pod, JsonObject node, DateTimeOffset now, bool failed)
    {
        var status = Running(pod, node, now, ready: false);
        status["phase"] = failed ? "Failed" : "Succeeded";
        var started = Json.Timestamp(pod.Time("status", "startTime") ?? now);
        status["conditions"] = CoreConditions.Set(status["conditions"] as JsonArray, "Ready", "False", "PodCompleted", null, now, "lastProbeTime");
        status["conditions"] = CoreConditions.Set(status["conditions"] as JsonArray, "ContainersReady", "False", "PodCompleted", null, now, "lastProbeTime");
        status["containerStatuses"] = new JsonArray([.. pod.Items("spec", "containers").Select(c => (JsonNode)Container(c, false, false,
            new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = failed ? 1 : 0,
                    ["reason"] = failed ? "Error" : "Completed",
                    ["startedAt"] = started,
                    ["finishedAt"] = Json.Timestamp(now),
                },
            }))]);
        return status;
    }

    private static JsonObject Waiting(Blocker blocker)
    {
        var waiting = new JsonObject { ["reason"] = blocker.WaitingReason };
        if (blocker.WaitingReason != "ContainerCreating")
        {
            waiting["message"] = blocker.Message.Replace("Error: ", "", StringComparison.Ordinal);
        }
        return waiting;
    }

    private static string? StartedAt(JsonObject pod, string container) =>
        pod.Items("status", "containerStatuses").FirstOrDefault(c => c.Str("name") == container)?.Str("state", "running", "startedAt") is { Length: > 0 } s ? s : null;

    private static List<string> ContainerNames(JsonObject pod) => [.. pod.Items("spec", "containers").Select(c => c.Str("name"))];

    private static JsonObject Base(JsonObject pod, JsonObject node, DateTimeOffset now, string phase)
    {
        var hostIp = node.Items("status", "addresses").FirstOrDefault(a => a.Str("type") == "InternalIP")?.Str("address") ?? "";
        var podIp = pod.Bool("spec", "hostNetwork") ? hostIp : KubeletSimulator.PodIp(pod, node);
        return new JsonObject
        {
            ["phase"] = phase,
            ["hostIP"] = hostIp,
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = hostIp }),
            ["podIP"] = podIp,
            ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
            ["startTime"] = Json.Timestamp(pod.Time("status", "startTime") ?? now),
            ["qosClass"] = pod.Items("spec", "containers").Any(c => c.Obj("resources", "requests") is { Count: > 0 } || c.Obj("resources", "limits") is { Count: > 0 }) ? "Burstable" : "BestEffort",
        };
    }

    private static JsonArray Conditions(JsonObject pod, DateTimeOffset now, bool initialized, bool ready, List<string> containers)
    {
        var existing = pod.At("status", "conditions") as JsonArray;
        var notReady = $"containers with unready status: [{string.Join(' ', containers)}]";
        var list = CoreConditions.Set(existing, "PodReadyToStartContainers", "True", null, null, now, "lastProbeTime");
        list = CoreConditions.Set(list, "Initialized", initialized ? "True" : "False", null, null, now, "lastProbeTime");
        list = CoreConditions.Set(list, "Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", ready ? null : notReady, now, "lastProbeTime");
        list = CoreConditions.Set(list, "ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady", ready ? null : notReady, now, "lastProbeTime");
        list = CoreConditions.Set(list, "PodScheduled", "True", null, null, now, "lastProbeTime");
        return list;
    }

    private static JsonObject Container(JsonObject spec, bool ready, bool started, JsonObject state)
    {
        var image = spec.Str("image");
        return new JsonObject
        {
            ["name"] = spec.Str("name"),
            ["image"] = image,
            ["imageID"] = image,
            ["containerID"] = $"cri-o://{spec.Str("name")}",
            ["ready"] = ready,
            ["started"] = started,
            ["restartCount"] = 0,
            ["state"] = state,
        };
    }
}
