using Mcg.Patterns.Generation;

namespace Mcg.Patterns.Tests.Support;

/// <summary>The real pattern repositories' values files (copied unmodified, see Fixtures/README.md) and scratch repositories.</summary>
public static class Fixtures
{
    public static string MulticloudGitops => Path.Combine(AppContext.BaseDirectory, "Fixtures", "multicloud-gitops");
    public static string Portworx => Path.Combine(AppContext.BaseDirectory, "Fixtures", "rh-multicloud-gitops-pxe");
    public static string Sample => Path.Combine(AppContext.BaseDirectory, "samples", "multicloud-gitops");

    public static ClusterFacts Hub(string platform = "AWS") =>
        new("local-cluster", platform, "4.16", "hub.example.com", "apps.hub.example.com", "apps.hub.example.com");

    public static ClusterFacts Spoke(string name, string platform = "Azure") =>
        ClusterFacts.For(name, platform, "4.16", "example.com", "apps.hub.example.com");

    /// <summary>A temporary directory holding the given files (relative path → content).</summary>
    public static string Repository(params (string Path, string Content)[] files)
    {
        var dir = Directory.CreateTempSubdirectory("mcg-pattern-").FullName;
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return dir;
    }
}
