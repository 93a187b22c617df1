using Microsoft.AspNetCore.Http;

namespace Mcg.WebConsole.Hosting;

public sealed class ConsoleOptions
{
    /// <summary>Port on 127.0.0.1 (0: any free port).</summary>
    public int Port { get; init; }

    /// <summary>The hub kubeconfig: its server and CA are used with each user's own token (never its credentials).</summary>
    public required string HubKubeconfig { get; init; }

    /// <summary>Serves <c>GET /metrics</c> on the console's origin (null: not served).</summary>
    public RequestDelegate? Metrics { get; init; }

    /// <summary>Where the live diff clones the applications' repositories (its own cache: the controllers' is theirs); null: no live diff.</summary>
    public string? RepositoryDirectory { get; init; }

    /// <summary>How long a login lasts without use.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromHours(8);
}
