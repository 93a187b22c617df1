using Mcg.Secrets.Tests.Support;
using Mcg.Secrets.ValuesSecret;

namespace Mcg.Secrets.Tests.ValuesSecret;

public sealed class ValuesSecretLocatorTests : IDisposable
{
    private readonly TempDir home = new();
    private readonly TempDir patterns = new();
    private readonly string patternDir;

    public ValuesSecretLocatorTests()
    {
        patternDir = Path.Combine(patterns.Path, "multicloud-gitops");
        Directory.CreateDirectory(patternDir);
    }

    public void Dispose()
    {
        home.Dispose();
        patterns.Dispose();
    }

    private ValuesSecretLocation Find(string? pattern = null, Dictionary<string, string>? env = null) =>
        ValuesSecretLocator.Find(pattern, patternDir, name => env?.GetValueOrDefault(name) ?? (name == "HOME" ? home.Path : null));

    [Fact]
    public void SearchOrderFollowsFindVpSecrets()
    {
        string[] order =
        [
            ".config/hybrid-cloud-patterns/values-secret-multicloud-gitops.yaml",
            ".config/validated-patterns/values-secret-multicloud-gitops.yaml",
            "values-secret-multicloud-gitops.yaml",
            "values-secret.yaml",
        ];
        File.WriteAllText(Path.Combine(patternDir, "values-secret.yaml.template"), "version: \"2.0\"\n");
        Assert.Equal((Path.Combine(patternDir, "values-secret.yaml.template"), "pattern template"), (Find().Path, Find().Rule));
        foreach (var rel in order.Reverse())
        {
            home.Write(rel, "x: 1\n");
            Assert.Equal(Path.Combine(home.Path, rel), Find().Path);
        }
        Assert.Equal("home directory", Find().Rule);
    }

    [Fact]
    public void PatternNameDefaultsToTheDirectoryNameAndCanBeGiven()
    {
        home.Write("values-secret-other.yaml", "x: 1\n");
        home.Write("values-secret-multicloud-gitops.yaml", "x: 1\n");
        Assert.EndsWith("values-secret-multicloud-gitops.yaml", Find().Path);
        Assert.EndsWith("values-secret-other.yaml", Find("other").Path);
    }

    [Fact]
    public void ValuesSecretEnvironmentVariableWinsAndMustExist()
    {
        home.Write("values-secret.yaml", "x: 1\n");
        var custom = home.Write("elsewhere/mine.yaml", "x: 1\n");
        var found = Find(env: new() { ["VALUES_SECRET"] = "~/elsewhere/mine.yaml" });
        Assert.Equal((custom, "$VALUES_SECRET"), (found.Path, found.Rule));
        var e = Assert.Throws<ValuesSecretFileException>(() => Find(env: new() { ["VALUES_SECRET"] = "/nonexistent/values.yaml" }));
        Assert.Contains("VALUES_SECRET is set to /nonexistent/values.yaml, which does not exist", e.Message);
    }

    [Fact]
    public void NothingFoundListsEveryCandidate()
    {
        var e = Assert.Throws<ValuesSecretFileException>(() => Find());
        Assert.Contains(".config/hybrid-cloud-patterns/values-secret-multicloud-gitops.yaml", e.Message);
        Assert.Contains("values-secret.yaml.template", e.Message);
    }
}
