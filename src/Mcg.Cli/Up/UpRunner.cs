using System.Net;
using System.Net.Sockets;
using k8s;
using Mcg.Cli.Bootstrap;
using Mcg.Fleet.Crds;
using Mcg.Fleet.Registration;
using Mcg.Kube.Client;
using Mcg.Secrets.Hub;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Cli.Up;

/// <summary>
/// <c>mcg up</c>: a hub, N virtual clusters and their agents as supervised <c>mcg</c> processes, the sample pattern,
/// then live progress until the fleet is green; runs until cancelled and resumes from its data directory.
/// </summary>
public sealed class UpRunner(UpOptions options, TextWriter output)
{
    private readonly UpLayout _layout = new(options.DataDirectory);
    private readonly List<ChildProcess> _children = [];

    public UpLayout Layout => _layout;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_layout.Root);
        var resumed = File.Exists(_layout.StatePath);
        var state = (resumed ? UpState.Load(_layout.StatePath) : new UpState(FreePort(), FreePort(), [])).WithClusterCount(options.Clusters, FreePort);
        state.Save(_layout.StatePath);
        output.WriteLine(resumed ? $"mcg up: resuming from {_layout.Root}" : $"mcg up: starting a new fleet in {_layout.Root}");
        try
        {
            await StartHubAsync(state, ct);
            await Task.WhenAll(state.Clusters.Select(c => StartClusterAsync(c, ct)));
            using var hub = Connect(_layout.HubKubeconfig);
            await BootstrapPatternAsync(hub, ct);
            foreach (var cluster in state.Clusters)
            {
                await StartAgentAsync(hub, cluster, ct);
            }
            var green = await ShowProgressAsync(hub, state.Clusters.Count, ct);
            PrintWhereThingsAre(state);
            if (!green)
            {
                output.WriteLine($"mcg up: not everything is green after {options.ReadyTimeout.TotalSeconds:0} s; logs are in {_layout.LogDirectory}");
            }
            if (options.ExitWhenReady)
            {
                return green ? 0 : 1;
            }
            output.WriteLine("mcg up: running; press Ctrl-C to stop (mcg up again resumes)");
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            output.WriteLine("mcg up: stopping");
            // Agents first (they would only log errors while their cluster or hub goes away), then the servers.
            await Task.WhenAll(_children.Where(c => c.Name.StartsWith("agent-", StringComparison.Ordinal)).Select(c => c.DisposeAsync().AsTask()));
            await Task.WhenAll(_children.Where(c => !c.Name.StartsWith("agent-", StringComparison.Ordinal)).Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private async Task StartHubAsync(UpState state, CancellationToken ct)
    {
        var hub = await StartChildAsync("hub", "hub", "--data", _layout.HubDirectory, "--port", state.HubPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--vault-port", state.VaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await WaitUntilAsync("the hub API", hub, async () =>
        {
            using var client = Connect(_layout.HubKubeconfig);
            await client.ListAsync(OcmCrds.ManagedClusters, null, null, ct);
        }, ct);
        // The hub API's CA, for clients that want it beside the kubeconfig (VAULT_CACERT is vault-ca.crt).
        File.Copy(Path.Combine(_layout.HubDirectory, "api", "ca.crt"), Path.Combine(_layout.HubDirectory, "ca.crt"), overwrite: true);
        output.WriteLine($"mcg up: hub ready at {state.HubPort}");
    }

    private async Task BootstrapPatternAsync(IKubeClient hub, CancellationToken ct)
    {
        var bootstrap = new PatternBootstrap(output);
        if (options.RepositoryUrl is { } url)
        {
            var name = Path.GetFileNameWithoutExtension(url.TrimEnd('/'));
            await bootstrap.ApplyPatternAsync(hub, name, "hub", url, options.Revision, ct);
            output.WriteLine("mcg up: with --repo, load the pattern's secrets with mcg secrets load");
            return;
        }
        SampleRepository.Ensure(_layout.RepositoryDirectory);
        var global = Mcg.Patterns.Values.PatternValues.ReadGlobal(_layout.RepositoryDirectory);
        var template = Path.Combine(_layout.RepositoryDirectory, "values-secret.yaml.template");
        if (File.Exists(template))
        {
            // The hub initialises and unseals its Vault while starting; its init file holds the root token.
            await bootstrap.LoadSecretsAsync(ValuesSecretLoader.ReadPlan(template), () =>
            {
                var init = VaultInitFile.Load(_layout.VaultInitFile) ?? throw new InvalidOperationException($"{_layout.VaultInitFile} does not exist yet");
                return VaultHttpSecretWriter.Create(new Uri(File.ReadAllText(_layout.VaultAddressFile).Trim()), init.RootToken, _layout.VaultCaFile);
            }, ct);
        }
        await bootstrap.ApplyPatternAsync(hub, global.Pattern, global.ClusterGroupName, SampleRepository.Url(_layout.RepositoryDirectory), "main", ct);
    }

    private async Task StartClusterAsync(UpCluster cluster, CancellationToken ct)
    {
        var port = cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = await StartChildAsync($"cluster-{cluster.Name}", "cluster", "serve", "--data", _layout.ClusterDirectory(cluster.Name), "--port", port, "--name", cluster.Name);
        await WaitUntilAsync($"virtual cluster {cluster.Name}", process, async () =>
        {
            using var client = Connect(_layout.ClusterKubeconfig(cluster.Name));
            await client.ListAsync(ResourceRef.Namespaces, null, null, ct);
        }, ct);
        output.WriteLine($"mcg up: virtual cluster {cluster.Name} ({cluster.Cloud}) ready");
    }

    private async Task StartAgentAsync(IKubeClient hub, UpCluster cluster, CancellationToken ct)
    {
        Directory.CreateDirectory(_layout.AgentDirectory(cluster.Name));
        List<string> args = ["agent", "--kubeconfig", _layout.ClusterKubeconfig(cluster.Name), "--cluster-name", cluster.Name,
            "--data", _layout.AgentDirectory(cluster.Name), "--lease-seconds", "10",
            "--label", $"cloud={cluster.Cloud}", "--label", "clusterGroup=group-one", "--label", $"name={cluster.Name}",
            "--claim", $"platform.open-cluster-management.io={cluster.Cloud}",
            "--metrics-port", cluster.MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (!File.Exists(_layout.AgentHubKubeconfig(cluster.Name)))
        {
            var token = await ClusterJoin.IssueBootstrapTokenAsync(hub, cluster.Name, TimeSpan.FromHours(1), ct);
            await File.WriteAllTextAsync(_layout.BootstrapKubeconfig(cluster.Name),
                ClusterJoin.BootstrapKubeconfig(await File.ReadAllTextAsync(_layout.HubKubeconfig, ct), _layout.HubKubeconfig, token), ct);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_layout.BootstrapKubeconfig(cluster.Name), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            args.AddRange(["--hub-kubeconfig", _layout.BootstrapKubeconfig(cluster.Name)]);
        }
        await StartChildAsync($"agent-{cluster.Name}", [.. args]);
    }

    private async Task<bool> ShowProgressAsync(IKubeClient hub, int clusters, CancellationToken ct)
    {
        var green = false;
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        FleetSnapshot? last = null;
        await FleetProgress.ForConsole().RunAsync(async report =>
        {
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    last = await FleetSnapshot.ReadAsync(hub, ct);
                    report(last);
                    if (last.AllGreen(clusters))
                    {
                        green = true;
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // The hub restarts under supervision; the next poll finds it again.
                }
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        });
        if (last is not null)
        {
            output.WriteLine($"mcg up: {(green ? "all green" : "not green")}: {FleetProgress.Summary(last, clusters)}");
            foreach (var app in last.Applications.Where(a => !a.Green))
            {
                output.WriteLine($"  {app.Namespace}/{app.Name} → {app.Destination}: {app.Sync}/{app.Health} {app.Message}");
            }
        }
        return green;
    }

    private void PrintWhereThingsAre(UpState state)
    {
        output.WriteLine($"hub kubeconfig:      {_layout.HubKubeconfig}");
        if (File.Exists(_layout.VaultAddressFile))
        {
            output.WriteLine($"vault:               VAULT_ADDR={File.ReadAllText(_layout.VaultAddressFile).Trim()} VAULT_CACERT={_layout.VaultCaFile} (root token in {_layout.VaultInitFile})");
        }
        if (File.Exists(_layout.ConsoleUrlFile))
        {
            output.WriteLine($"console:             {File.ReadAllText(_layout.ConsoleUrlFile).Trim()} (log in with the token in {_layout.HubKubeconfig})");
        }
        output.WriteLine($"pattern repository:  {options.RepositoryUrl ?? _layout.RepositoryDirectory}");
        foreach (var cluster in state.Clusters)
        {
            output.WriteLine($"cluster {cluster.Name,-10}  {_layout.ClusterKubeconfig(cluster.Name)}");
        }
        output.WriteLine($"logs:                {_layout.LogDirectory}");
        output.WriteLine($"metrics (Prometheus scrape targets, also in {_layout.StatePath}):");
        foreach (var endpoint in MetricsEndpoint.Of(state))
        {
            output.WriteLine($"  {endpoint.Job,-12} {endpoint.Instance,-10} {endpoint.Url}  auth: {endpoint.Auth}");
        }
    }

    private async Task<ChildProcess> StartChildAsync(string name, params string[] args)
    {
        var child = await ChildProcess.StartAsync(name, _layout.LogDirectory, args);
        _children.Add(child);
        return child;
    }

    private static async Task WaitUntilAsync(string what, ChildProcess process, Func<Task> probe, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                await probe();
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested) // not up yet: no kubeconfig, half-written, refused, CRDs missing
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{what} did not become ready in 120 s: {e.Message}\n{process.Tail()}");
                }
            }
            await Task.Delay(250, ct);
        }
    }

    private static KubernetesClientKubeClient Connect(string kubeconfig) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
