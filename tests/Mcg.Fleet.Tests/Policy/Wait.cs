using System.Text.Json.Nodes;

namespace Mcg.Fleet.Tests.Policy;

/// <summary>Polls until the controllers have done something, failing with the last observation and the controllers' log.</summary>
internal static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TestLog log, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                var seen = value is JsonNode node ? node.ToJsonString() : value?.ToString() ?? "null";
                throw new Xunit.Sdk.XunitException($"timed out waiting until {what}; last seen: {seen}\n--- log ---\n{log.Tail()}");
            }
            await Task.Delay(200);
        }
    }
}
