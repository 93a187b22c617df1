namespace Mcg.Cli.Install;

/// <summary>Options of <c>mcg install</c>.</summary>
public sealed record InstallOptions
{
    public required string Kubeconfig { get; init; }
    public required string RepositoryUrl { get; init; }
    public string Revision { get; init; } = "main";
    public string? ValuesSecretFile { get; init; }
    public string? VaultPasswordFile { get; init; }

    /// <summary>An external Vault (the user's own) instead of the hub's: its address, the file with its token, its CA.</summary>
    public string? VaultAddress { get; init; }
    public string? VaultTokenFile { get; init; }
    public string? VaultCaFile { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);
    public required string CacheDirectory { get; init; }
}

/// <summary>A failed install step, with a message that says what to fix.</summary>
public sealed class InstallException(string message, Exception? inner = null) : Exception(message, inner);
