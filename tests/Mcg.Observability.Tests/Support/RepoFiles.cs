namespace Mcg.Observability.Tests.Support;

/// <summary>Files of this repository the tests check (deploy/prometheus, deploy/grafana).</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Mcg.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Mcg.sln not found above " + AppContext.BaseDirectory);
    }
}
