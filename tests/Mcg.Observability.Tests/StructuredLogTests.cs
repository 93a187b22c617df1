using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Observability.Tests.Support;

namespace Mcg.Observability.Tests;

/// <summary><c>--log-format json</c>: the agent of the shared fleet logs one JSON object per line.</summary>
[Collection(ObservedFleetCollection.Name)]
public sealed class StructuredLogTests(ObservedFleet fx)
{
    [Fact]
    public async Task AgentLogsOneJsonObjectPerEventWithItsClusterAsAScopeField()
    {
        var prefix = $"agent-{ObservedFleet.Cluster}: ";
        List<JsonObject> events = [];
        await Eventually.TrueAsync(() =>
        {
            var lines = fx.Fleet.Log.Split('\n');
            // Log events are JSON; the agent's few plain announcements ("metrics on …") are not log events.
            events = lines.Where(l => l.StartsWith(prefix + "{", StringComparison.Ordinal))
                .Select(l => (JsonObject)JsonNode.Parse(l[prefix.Length..])!).ToList();
            return Task.FromResult(events.Count > 0);
        }, "the agent logged an event", TimeSpan.FromSeconds(60));

        Assert.All(events, e =>
        {
            Assert.NotNull(e["Timestamp"]);
            Assert.NotNull(e["LogLevel"]);
            Assert.NotNull(e["Category"]);
            Assert.NotNull(e["Message"]);
        });
        Assert.Contains(events, e => e["Scopes"]?.AsArray().Any(s => s?["cluster"]?.GetValue<string>() == ObservedFleet.Cluster) == true);
    }
}
