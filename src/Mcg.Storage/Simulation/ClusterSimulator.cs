using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Runtime;
using Mcg.Storage.Exec;
using Mcg.Storage.Kubelet;
using Mcg.Storage.Nodes;
using Mcg.Storage.Portworx;
using Mcg.Storage.Scheduling;
using Mcg.Storage.Volumes;
using Mcg.Storage.Workloads;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Simulation;

/// <summary>
/// Everything a virtual cluster simulates, in the spirit of kwok: nodes and kubelets, the scheduler, the workload and
/// volume controllers of kube-controller-manager, and Portworx. Each is a reconcile loop that acts only through the
/// cluster's API, so the controllers that use the cluster cannot tell it from a real one.
/// </summary>
public sealed class ClusterSimulator : IAsyncDisposable
{
    private readonly SharedInformers _informers;
    private readonly Olm.OlmSimulator _olm;
    private readonly NodeSimulator _nodes;
    private readonly List<Controller> _controllers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private readonly IKubeClient _client;

    public ClusterSimulator(IKubeClient client, SimulatorOptions options, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        _client = client;
        Options = options;
        _informers = new SharedInformers(client, loggers);
        _olm = new Olm.OlmSimulator(client, loggers, clock);
        var events = new EventRecorder(client, clock, loggers.CreateLogger<EventRecorder>());
        var log = loggers.CreateLogger<Controller>();
        _nodes = new NodeSimulator(client, _informers, events, options, clock, log);
        _controllers.Add(_nodes.Controller);
        _controllers.Add(new Scheduler(client, _informers, events, clock, log).Controller);
        _controllers.Add(new KubeletSimulator(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new AttachDetachController(client, _informers, options, log).Controller);
        _controllers.Add(new ReplicaSetController(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new DeploymentController(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new StatefulSetController(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new DaemonSetController(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new JobController(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new CronJobController(client, _informers, events, options, clock, log).Controller);
        _controllers.Add(new PersistentVolumeBinder(client, _informers, events, options, log).Controller);
        var topology = new PortworxTopology(_informers);
        var data = new VolumeData(options.DataDirectory);
        _controllers.Add(new StorageClusterController(client, _informers, events, clock, log).Controller);
        _controllers.Add(new StorageNodeController(client, _informers, topology, data, events, options, clock, log).Controller);
        _controllers.Add(new CsiProvisioner(client, _informers, data, events, log).Controller);
        _controllers.Add(new CsiAttacher(client, _informers, topology, clock, log).Controller);
        _controllers.Add(new SnapshotController(client, _informers, topology, data, events, clock, log).Controller);
        ExecHandler = new PodExec(_informers, topology, data);
    }

    public SimulatorOptions Options { get; }

    /// <summary>Serves <c>pods/exec</c> against the simulated volumes; register it with the API server.</summary>
    public PodExec ExecHandler { get; }

    /// <summary>The simulators' shared caches (read-only use, e.g. by the exec handler).</summary>
    public SharedInformers Informers => _informers;

    /// <summary>Registers the nodes, then runs every informer and controller in the background.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _nodes.RegisterNodesAsync(ct);
        // The operator's CRDs exist before anything lists StorageClusters (installing the operator is not simulated).
        await PortworxCrds.InstallAsync(_client, ct);
        await _olm.InstallCrdsAsync(ct);
        var stop = _stop.Token;
        _running = Task.WhenAll(_controllers.Select(c => c.RunAsync(stop)).Append(_informers.RunAsync(stop)).Append(_olm.RunAsync(stop)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
