namespace Mcg.Patterns.Generation;

/// <summary>What an application path holds, as Argo CD would detect it.</summary>
public enum SourceKind
{
    Unknown,
    HelmChart,
    Kustomization,
    Directory,
    Missing,
}

/// <summary>
/// Looks into the checked-out pattern repository to tell Helm charts (<c>Chart.yaml</c>) from kustomizations and plain
/// directories. mcg renders no Helm charts yet: <see cref="HelmUnsupported"/> is the message the pattern controller
/// reports for them (in the Pattern status and as an annotation on the Application) rather than skipping them.
/// </summary>
public static class SourceDetector
{
    public const string HelmUnsupported = "Helm charts are not supported yet";

    private static readonly string[] KustomizationFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    public static SourceKind Detect(string? repositoryRoot, string? path)
    {
        if (repositoryRoot is null || path is null)
        {
            return SourceKind.Unknown;
        }
        var dir = ValueFiles.LocalPath(repositoryRoot, path);
        if (dir is null || !Directory.Exists(dir))
        {
            return SourceKind.Missing;
        }
        if (File.Exists(Path.Combine(dir, "Chart.yaml")))
        {
            return SourceKind.HelmChart;
        }
        return KustomizationFiles.Any(f => File.Exists(Path.Combine(dir, f))) ? SourceKind.Kustomization : SourceKind.Directory;
    }
}
