using System.Text.Json.Nodes;
using Mcg.GitOps.Health;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Health;

internal static class HealthTestSupport
{
    private static readonly HealthAssessor Assessor = new();

    public static JsonObject Yaml(string yaml) => YamlJson.Parse(yaml)!.AsObject();

    public static HealthStatus? Assess(string yaml) => Assessor.Assess(Yaml(yaml));

    public static void AssertHealth(HealthStatusCode status, string message, string yaml)
    {
        var health = Assess(yaml);
        Assert.NotNull(health);
        Assert.Equal(new HealthStatus(status, message), health);
    }
}
