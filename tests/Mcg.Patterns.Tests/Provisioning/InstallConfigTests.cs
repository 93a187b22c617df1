using System.Text;
using System.Text.Json.Nodes;
using Mcg.Patterns.Provisioning;

namespace Mcg.Patterns.Tests.Provisioning;

public class InstallConfigTests
{
    private static JsonObject Secret(string installConfig) => new()
    {
        ["data"] = new JsonObject { ["install-config.yaml"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(installConfig)) },
    };

    [Fact]
    public void WorkerReplicasComeFromTheComputePool()
    {
        Assert.Equal(5, InstallConfig.WorkerReplicas(Secret("""
            apiVersion: v1
            compute:
              - {name: infra, replicas: 2}
              - {name: worker, replicas: 5, platform: {aws: {type: m5.xlarge}}}
            controlPlane: {name: master, replicas: 3}
            """)));
        Assert.Equal(0, InstallConfig.WorkerReplicas(Secret("compute: [{name: worker, replicas: 0}]\n")));
    }

    [Fact]
    public void MissingOrUnreadableConfigsMeanThreeWorkers()
    {
        Assert.Equal(3, InstallConfig.WorkerReplicas(null));
        Assert.Equal(3, InstallConfig.WorkerReplicas(new JsonObject { ["data"] = new JsonObject { ["install-config.yaml"] = "%%%" } }));
        Assert.Equal(3, InstallConfig.WorkerReplicas(Secret("controlPlane: {replicas: 3}\n")));
    }
}
