using LibGit2Sharp;

namespace Mcg.Cli.Up;

/// <summary>
/// The sample pattern (<c>samples/multicloud-gitops</c>, embedded in <c>mcg</c>) as a local Git repository, so that
/// <c>mcg up</c> works from any directory and users can commit to it and watch the change roll out.
/// </summary>
public static class SampleRepository
{
    private const string Prefix = "samples/multicloud-gitops/";

    /// <summary>Creates the repository at <paramref name="path"/> on the first run (branch <c>main</c>); keeps it afterwards.</summary>
    public static void Ensure(string path)
    {
        if (Repository.IsValid(path))
        {
            return;
        }
        var assembly = typeof(SampleRepository).Assembly;
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException("this build of mcg carries no sample pattern; pass --repo URL");
        }
        Directory.CreateDirectory(path);
        foreach (var name in files)
        {
            var target = Path.Combine(path, name[Prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var source = assembly.GetManifestResourceStream(name)!;
            using var file = File.Create(target);
            source.CopyTo(file);
        }
        Repository.Init(path);
        using var repo = new Repository(path);
        repo.Refs.UpdateTarget("HEAD", "refs/heads/main");
        LibGit2Sharp.Commands.Stage(repo, "*");
        var author = new Signature("mcg up", "mcg-up@localhost", DateTimeOffset.UtcNow);
        repo.Commit("The multicloud-gitops sample pattern", author, author);
    }

    public static string Url(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;
}
