using Mcg.Storage.Tests.Support;

namespace Mcg.Storage.Tests;

/// <summary><c>mcg cluster serve</c> refuses bad simulator options before it starts anything, naming the option.</summary>
public sealed class ServeOptionTests
{
    [Theory]
    [InlineData("--nodes", "0", "error: --nodes: must be at least 1, got 0")]
    [InlineData("--eviction-delay", "soon", "error: --eviction-delay: \"soon\" is not a duration such as 30s or 5m")]
    [InlineData("--node-disk-size", "lots", "error: --node-disk-size: \"lots\" is not a size such as 512Gi")]
    public async Task Bad_simulator_options_are_refused(string option, string value, string message)
    {
        var dir = Directory.CreateTempSubdirectory("mcg-serve-").FullName;
        try
        {
            var result = await McgCli.RunAsync(Path.Combine(dir, "kubeconfig"), "cluster", "serve", "--data", dir, option, value);
            Assert.Equal(2, result.Exit);
            Assert.Equal(message, result.Err.Trim());
            Assert.False(File.Exists(Path.Combine(dir, "state.db")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
