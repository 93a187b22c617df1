using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Mcg.Storage.Nodes;
using Mcg.Storage.Simulation;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Kubelet;

/// <summary>
/// The kubelets of all virtual nodes: a pod bound to a live node waits (ContainerCreating, with the kubelet's events)
/// until its volumes can be mounted, then runs: Running and Ready, or for run-to-completion pods Succeeded/Failed after
/// the simulated run time. Pods on a failed node are left alone, as a dead kubelet would.
/// </summary>
public sealed class KubeletSimulator : IReconciler
{
    private const string Component = "kubelet";
    private static readonly TimeSpan MountRetry = TimeSpan.FromSeconds(2);

    private readonly IKubeClient _client;
    private readonly Informer _pods;
    private readonly Informer _nodes;
    private readonly MountCheck _mounts;
    private readonly EventRecorder _events;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _clock;

    public KubeletSimulator(IKubeClient client, SharedInformers informers, EventRecorder events, SimulatorOptions options, TimeProvider clock,
        ILogger<Controller> logger)
    {
        _client = client;
        _events = events;
        _options = options;
        _clock = clock;
        _pods = informers.For(Resources.Pods);
        _nodes = informers.For(Resources.Nodes);
        _mounts = new MountCheck(informers);
        Controller = new Controller("kubelet", this, new ControllerOptions { Workers = options.Workers }, logger);
        Controller.Watch(_pods);
        Controller.Watch(_nodes, n => _pods.List().Where(p => p.Str("spec", "nodeName") == n.Str("metadata", "name")).Select(ObjectKeys.KeyOf).ToList());
        Controller.Watch(informers.For(Resources.VolumeAttachments), va => WaitingPods(p => p.Str("spec", "nodeName") == va.Str("spec", "nodeName")));
        Controller.Watch(informers.For(Resources.Secrets), s => WaitingPods(p => p.Str("metadata", "namespace") == s.Str("metadata", "namespace")));
        Controller.Watch(informers.For(Resources.ConfigMaps), s => WaitingPods(p => p.Str("metadata", "namespace") == s.Str("metadata", "namespace")));
        Controller.Watch(informers.For(Resources.PersistentVolumeClaims), s => WaitingPods(p => p.Str("metadata", "namespace") == s.Str("metadata", "namespace")));
    }

    public Controller Controller { get; }

    private List<string> WaitingPods(Func<JsonObject, bool> filter) =>
        _pods.List().Where(p => p.Str("spec", "nodeName").Length > 0 && p.Str("status", "phase") is "Pending" or "" && filter(p)).Select(ObjectKeys.KeyOf).ToList();

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        if (_pods.GetByKey(key) is not { } pod || pod.IsDeleting() || Pods.IsTerminal(pod))
        {
            return ReconcileResult.Done;
        }
        var nodeName = pod.Str("spec", "nodeName");
        if (nodeName.Length == 0 || _nodes.Get(null, nodeName) is not { } node || NodeSimulator.IsFailed(node))
        {
            return ReconcileResult.Done;
        }
        var now = _clock.GetUtcNow();
        try
        {
            if (pod.Str("status", "phase") == "Running")
            {
                return await KeepRunningAsync(pod, node, now, ct);
            }
            if (_mounts.Check(pod) is { } blocker)
            {
                await WriteAsync(pod, PodStatus.Waiting(pod, node, blocker, now), ct);
                if (blocker.Reason.Length > 0)
                {
                    await _events.RecordOnChangeAsync(pod, Component, "Warning", blocker.Reason, blocker.Message, ct);
                }
                return ReconcileResult.After(MountRetry);
            }
            _events.ClearLast(pod, Component);
            if (await WriteAsync(pod, PodStatus.Running(pod, node, now, ready: true), ct))
            {
                foreach (var container in pod.Items("spec", "containers"))
                {
                    await _events.NormalAsync(pod, Component, "Started", $"Started container {container.Str("name")}", ct);
                }
            }
            return RunsToCompletion(pod) ? ReconcileResult.After(RunDuration(pod)) : ReconcileResult.Done;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return ReconcileResult.Done;
        }
    }

    private async Task<ReconcileResult> KeepRunningAsync(JsonObject pod, JsonObject node, DateTimeOffset now, CancellationToken ct)
    {
        if (RunsToCompletion(pod))
        {
            var started = pod.Time("status", "startTime") ?? now;
            var end = started + RunDuration(pod);
            if (now < end)
            {
                return ReconcileResult.After(end - now);
            }
            var failed = pod.Str("metadata", "annotations", SimulationAnnotations.Fail) == "true";
            await WriteAsync(pod, PodStatus.Terminated(pod, node, now, failed), ct);
            return ReconcileResult.Done;
        }
        // A node back from a failure reports its running pods ready again.
        await WriteAsync(pod, PodStatus.Running(pod, node, now, ready: true), ct);
        return ReconcileResult.Done;
    }

    private static bool RunsToCompletion(JsonObject pod) => pod.Str("spec", "restartPolicy") is "Never" or "OnFailure";

    private TimeSpan RunDuration(JsonObject pod) =>
        GoDuration.TryParse(pod.Str("metadata", "annotations", SimulationAnnotations.RunDuration), out var d) ? d : _options.DefaultRunDuration;

    private async Task<bool> WriteAsync(JsonObject pod, JsonObject status, CancellationToken ct) =>
        await StatusWriter.WriteAsync(_client, Resources.Pods, pod, status, ct);

    internal static string PodIp(JsonObject pod, JsonObject node)
    {
        var cidr = node.Str("spec", "podCIDR");
        var prefix = cidr.Length > 0 ? cidr[..cidr.LastIndexOf('.')] : "10.244.0";
        var hash = (uint)StringComparer.Ordinal.GetHashCode(pod.Str("metadata", "uid"));
        return $"{prefix}.{(hash % 250 + 2).ToString(CultureInfo.InvariantCulture)}";
    }
}
