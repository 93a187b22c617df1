using System.Text.Json.Nodes;
using Mcg.GitOps.Health;

namespace Mcg.Storage.Tests;

/// <summary>The health checks of the storage kinds, on objects shaped as the Portworx operator and the snapshot controller write them.</summary>
public sealed class StorageHealthTests
{
    private static readonly HealthAssessor Health = new();

    [Theory]
    [InlineData("Running", HealthStatusCode.Healthy)]
    [InlineData("Online", HealthStatusCode.Healthy)]
    [InlineData("Initializing", HealthStatusCode.Progressing)]
    [InlineData("Degraded", HealthStatusCode.Degraded)]
    [InlineData("Failed", HealthStatusCode.Degraded)]
    public void Storage_cluster_phase(string phase, HealthStatusCode expected) =>
        Assert.Equal(expected, Health.Assess(Obj("core.libopenstorage.org/v1", "StorageCluster", $$"""{"phase":"{{phase}}"}"""))!.Status);

    [Fact]
    public void A_degraded_storage_cluster_reports_its_reason()
    {
        var health = Health.Assess(Obj("core.libopenstorage.org/v1", "StorageCluster", """{"phase":"Degraded","reason":"cluster is not in quorum: 1 of 3 storage nodes are online"}"""))!;
        Assert.Equal("cluster is not in quorum: 1 of 3 storage nodes are online", health.Message);
    }

    [Theory]
    [InlineData("""{"phase":"Online"}""", HealthStatusCode.Healthy, "")]
    [InlineData("""{"phase":"Initializing"}""", HealthStatusCode.Progressing, "StorageNode is Initializing")]
    [InlineData("""{"phase":"Offline","conditions":[{"type":"NodeState","status":"Offline","message":"node worker-2 is not reachable"}]}""", HealthStatusCode.Degraded, "node worker-2 is not reachable")]
    [InlineData("""{"phase":"Decommissioned"}""", HealthStatusCode.Degraded, "StorageNode is Decommissioned")]
    [InlineData(null, HealthStatusCode.Progressing, "Waiting for StorageNode status")]
    public void Storage_node(string? status, HealthStatusCode expected, string message)
    {
        var health = Health.Assess(Obj("core.libopenstorage.org/v1", "StorageNode", status))!;
        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Theory]
    [InlineData("""{"phase":"Bound"}""", HealthStatusCode.Healthy)]
    [InlineData("""{"phase":"Pending"}""", HealthStatusCode.Progressing)]
    [InlineData("""{"phase":"Lost"}""", HealthStatusCode.Degraded)]
    public void Persistent_volume_claim(string status, HealthStatusCode expected) =>
        Assert.Equal(expected, Health.Assess(Obj("v1", "PersistentVolumeClaim", status))!.Status);

    [Theory]
    [InlineData("VolumeSnapshot", """{"readyToUse":true,"restoreSize":"1Gi"}""", HealthStatusCode.Healthy, "Ready to use")]
    [InlineData("VolumeSnapshot", """{"readyToUse":false,"error":{"message":"persistentvolumeclaim \"x\" is not bound","time":"2026-01-01T00:00:00Z"}}""", HealthStatusCode.Degraded, "persistentvolumeclaim \"x\" is not bound")]
    [InlineData("VolumeSnapshot", null, HealthStatusCode.Progressing, "Waiting for status")]
    [InlineData("VolumeSnapshotContent", """{"readyToUse":true,"snapshotHandle":"1"}""", HealthStatusCode.Healthy, "Ready to use")]
    public void Volume_snapshot(string kind, string? status, HealthStatusCode expected, string message)
    {
        var health = Health.Assess(Obj("snapshot.storage.k8s.io/v1", kind, status))!;
        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    private static JsonObject Obj(string apiVersion, string kind, string? status)
    {
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = new JsonObject { ["name"] = "x" } };
        if (status is not null)
        {
            obj["status"] = JsonNode.Parse(status);
        }
        return obj;
    }
}
