using Microsoft.Extensions.Hosting;

namespace Mcg.ApiServer.Hosting;

/// <summary>
/// The embedded server lives inside a command that owns the process signals (System.CommandLine cancels its token on
/// Ctrl-C and SIGTERM); the default console lifetime would swallow SIGTERM and stop only the server.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
