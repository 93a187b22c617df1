using System.Diagnostics;
using System.Text;
using Mcg.ApiServer.Tests.Support;
using Mcg.EndToEnd.Tests.Support;

namespace Mcg.EndToEnd.Tests;

/// <summary>A virtual cluster and an application controller (real processes) shared by a test class.</summary>
public sealed class GitOpsFixture : IAsyncLifetime
{
    public const string WebhookSecret = "s3cr3t";
    private Process? _gitops;
    private string? _dataDir;

    public ServerProcess Server { get; private set; } = null!;
    public string WebhookUrl { get; private set; } = "";
    public StringBuilder Log { get; private set; } = new();
    public Kubectl Kubectl => new(Server.KubeconfigPath);

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync();
        _dataDir = Directory.CreateTempSubdirectory("mcg-gitops-").FullName;
        (_gitops, WebhookUrl, Log) = await McgCli.StartGitOpsAsync(Server.KubeconfigPath, _dataDir, WebhookSecret);
        // The controller installs the Argo CD CRDs and the default project as it starts.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await Kubectl.RunAsync("-n argocd get appproject default")).ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the application controller did not install its CRDs: {Log}");
            }
            await Task.Delay(200);
        }
    }

    public Task<McgCli.Result> McgAsync(params string[] args) => McgCli.RunAsync(Server.KubeconfigPath, TimeSpan.FromSeconds(120), args);

    public async Task DisposeAsync()
    {
        if (_gitops is { HasExited: false })
        {
            _gitops.Kill(true);
            await _gitops.WaitForExitAsync();
        }
        _gitops?.Dispose();
        await Server.DisposeAsync();
        if (_dataDir is not null)
        {
            Directory.Delete(_dataDir, true);
        }
    }
}
