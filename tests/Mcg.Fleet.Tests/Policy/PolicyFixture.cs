using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Tests.Support;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Policy;
using Mcg.Kube.Client;

namespace Mcg.Fleet.Tests.Policy;

/// <summary>
/// A hub and a managed cluster (real <c>mcg cluster serve</c> processes) with the policy propagator and two agents
/// running in-process: <c>cluster1</c> evaluates on the managed cluster and <c>local-cluster</c> on the hub itself (as
/// ACM's self-managed hub). Root policies live in the <c>policies</c> namespace; placement decisions are written by tests.
/// </summary>
public sealed class PolicyFixture : IAsyncLifetime
{
    public const string RootNamespace = "policies";
    public const string Cluster1 = "cluster1";
    public const string LocalCluster = "local-cluster";

    private readonly CancellationTokenSource _stop = new();
    private readonly List<ConfigurationPolicyAgent> _agents = [];
    private Task _running = Task.CompletedTask;

    public ServerProcess HubServer { get; private set; } = null!;
    public ServerProcess ManagedServer { get; private set; } = null!;
    public KubernetesClientKubeClient Hub { get; private set; } = null!;
    public KubernetesClientKubeClient Managed { get; private set; } = null!;
    public TestLog Log { get; } = new();

    public async Task InitializeAsync()
    {
        var hub = ServerProcess.StartAsync();
        var managed = ServerProcess.StartAsync();
        HubServer = await hub;
        ManagedServer = await managed;
        Hub = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(HubServer.KubeconfigPath));
        Managed = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(ManagedServer.KubeconfigPath));
        await Task.WhenAll(
            OcmCrds.InstallAsync(Hub, OcmCrds.Hub.Concat(OcmCrds.Spoke), _stop.Token),
            OcmCrds.InstallAsync(Managed, OcmCrds.Spoke, _stop.Token));
        foreach (var ns in new[] { RootNamespace, Cluster1, LocalCluster })
        {
            await Hub.CreateAsync(ResourceRef.Namespaces, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns },
            });
        }
        var options = new ConfigurationPolicyAgentOptions { DefaultEvaluationInterval = TimeSpan.FromSeconds(2) };
        _agents.Add(new ConfigurationPolicyAgent(Hub, Managed, Cluster1, Log, options));
        _agents.Add(new ConfigurationPolicyAgent(Hub, Hub, LocalCluster, Log, options));
        var propagator = new PolicyPropagator(Hub, Log);
        _running = Task.WhenAll(_agents.Select(a => a.RunAsync(_stop.Token)).Append(propagator.RunAsync(_stop.Token)));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
        Hub?.Dispose();
        Managed?.Dispose();
        if (HubServer is not null)
        {
            await HubServer.DisposeAsync();
        }
        if (ManagedServer is not null)
        {
            await ManagedServer.DisposeAsync();
        }
        _stop.Dispose();
    }
}
