namespace Mcg.Cli.Up;

/// <summary>Options of <c>mcg up</c>.</summary>
public sealed record UpOptions
{
    public required string DataDirectory { get; init; }
    public int Clusters { get; init; } = 3;
    public string? RepositoryUrl { get; init; }
    public string Revision { get; init; } = "main";
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public bool ExitWhenReady { get; init; }
}
