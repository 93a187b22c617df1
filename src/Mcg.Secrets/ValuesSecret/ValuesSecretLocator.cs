namespace Mcg.Secrets.ValuesSecret;

/// <summary>A values-secret file that was found, and the rule that found it.</summary>
public sealed record ValuesSecretLocation(string Path, string Rule);

/// <summary>
/// Finds the values-secret file like rhvp.cluster_utils <c>find_vp_secrets</c>: <c>$VALUES_SECRET</c> when set (it
/// must exist), else the first existing of <c>~/.config/hybrid-cloud-patterns/values-secret-PATTERN.yaml</c>,
/// <c>~/.config/validated-patterns/values-secret-PATTERN.yaml</c>, <c>~/values-secret-PATTERN.yaml</c>,
/// <c>~/values-secret.yaml</c> and the pattern's <c>values-secret.yaml.template</c>.
/// </summary>
public static class ValuesSecretLocator
{
    public const string EnvironmentVariable = "VALUES_SECRET";

    /// <summary>The home-directory and pattern candidates, in search order.</summary>
    public static IReadOnlyList<string> Candidates(string patternName, string patternDirectory, string home) =>
    [
        Path.Combine(home, ".config", "hybrid-cloud-patterns", $"values-secret-{patternName}.yaml"),
        Path.Combine(home, ".config", "validated-patterns", $"values-secret-{patternName}.yaml"),
        Path.Combine(home, $"values-secret-{patternName}.yaml"),
        Path.Combine(home, "values-secret.yaml"),
        Path.Combine(patternDirectory, "values-secret.yaml.template"),
    ];

    /// <param name="patternName">The pattern name; upstream passes the pattern directory's name (<c>basename $(pwd)</c>).</param>
    /// <param name="patternDirectory">The pattern's Git checkout.</param>
    /// <param name="getEnvironment">Reads environment variables (default: the process environment).</param>
    /// <param name="home">The home directory (default <c>$HOME</c>).</param>
    /// <exception cref="ValuesSecretFileException">No file was found; the message lists what was tried.</exception>
    public static ValuesSecretLocation Find(string? patternName, string patternDirectory, Func<string, string?>? getEnvironment = null, string? home = null)
    {
        getEnvironment ??= Environment.GetEnvironmentVariable;
        home ??= getEnvironment("HOME") is { Length: > 0 } h ? h : PathUtil.HomeDirectory();
        patternDirectory = Path.GetFullPath(patternDirectory);
        if (getEnvironment(EnvironmentVariable) is { Length: > 0 } fromEnv)
        {
            var path = Path.GetFullPath(PathUtil.ExpandHome(fromEnv, home));
            if (!File.Exists(path))
            {
                throw new ValuesSecretFileException($"{EnvironmentVariable} is set to {fromEnv}, which does not exist");
            }
            return new ValuesSecretLocation(path, $"${EnvironmentVariable}");
        }
        patternName = string.IsNullOrEmpty(patternName) ? Path.GetFileName(patternDirectory.TrimEnd('/')) : patternName;
        var candidates = Candidates(patternName, patternDirectory, home);
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return new ValuesSecretLocation(candidate, candidate == candidates[^1] ? "pattern template" : "home directory");
            }
        }
        throw new ValuesSecretFileException($"No values-secret file found for pattern {patternName}; looked for:\n  " + string.Join("\n  ", candidates)
            + $"\n(set {EnvironmentVariable} to use another file)");
    }
}
