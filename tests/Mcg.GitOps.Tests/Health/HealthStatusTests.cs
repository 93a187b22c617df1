using System.Text.Json;
using Mcg.GitOps.Health;

namespace Mcg.GitOps.Tests.Health;

public class HealthStatusTests
{
    private static readonly HealthStatusCode[] BestToWorst =
    [
        HealthStatusCode.Healthy,
        HealthStatusCode.Suspended,
        HealthStatusCode.Progressing,
        HealthStatusCode.Missing,
        HealthStatusCode.Degraded,
        HealthStatusCode.Unknown,
    ];

    [Fact]
    public void IsWorse_follows_Argo_CD_order()
    {
        for (var i = 0; i < BestToWorst.Length; i++)
        {
            for (var j = 0; j < BestToWorst.Length; j++)
            {
                Assert.Equal(j > i, HealthStatus.IsWorse(BestToWorst[i], BestToWorst[j]));
            }
        }
    }

    [Fact]
    public void Combine_takes_the_worst()
    {
        Assert.Equal(HealthStatusCode.Degraded, HealthStatus.Combine(
        [
            new(HealthStatusCode.Healthy),
            new(HealthStatusCode.Missing),
            new(HealthStatusCode.Degraded, "boom"),
            new(HealthStatusCode.Progressing),
        ]));
        Assert.Equal(HealthStatusCode.Unknown, HealthStatus.Combine([new(HealthStatusCode.Degraded), new(HealthStatusCode.Unknown)]));
        Assert.Equal(HealthStatusCode.Progressing, HealthStatus.Combine([new(HealthStatusCode.Suspended), new(HealthStatusCode.Progressing)]));
        Assert.Equal(HealthStatusCode.Suspended, HealthStatus.Combine([new(HealthStatusCode.Healthy), new(HealthStatusCode.Suspended)]));
    }

    [Fact]
    public void Combine_counts_resources_without_health_as_healthy()
    {
        Assert.Equal(HealthStatusCode.Healthy, HealthStatus.Combine([]));
        Assert.Equal(HealthStatusCode.Healthy, HealthStatus.Combine([null, null]));
        Assert.Equal(HealthStatusCode.Suspended, HealthStatus.Combine([null, new(HealthStatusCode.Suspended)]));
    }

    [Fact]
    public void Codes_serialise_as_Argo_CD_strings()
    {
        Assert.Equal("\"Progressing\"", JsonSerializer.Serialize(HealthStatusCode.Progressing));
        Assert.Equal("""{"Status":"Degraded","Message":"x"}""", JsonSerializer.Serialize(new HealthStatus(HealthStatusCode.Degraded, "x")));
        Assert.Equal(HealthStatusCode.Missing, JsonSerializer.Deserialize<HealthStatusCode>("\"Missing\""));
    }
}
