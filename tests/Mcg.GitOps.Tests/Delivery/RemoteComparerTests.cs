using System.Text.Json.Nodes;
using Mcg.GitOps.Delivery;
using Mcg.GitOps.Health;
using Mcg.GitOps.Sync;
using Mcg.Kube.Client;

namespace Mcg.GitOps.Tests.Delivery;

/// <summary>How a managed cluster's report (ManifestWork status, through the delivery port) becomes sync and health.</summary>
public sealed class RemoteComparerTests
{
    private static readonly ResourceRef Deployments = new("apps", "v1", "deployments", "Deployment", true);

    // Compare only reads the plan and the report; the renderer side of the comparer is not involved.
    private readonly RemoteComparer _comparer = new(null!, new HealthAssessor());

    private static JsonObject Deployment() => (JsonObject)JsonNode.Parse("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"replicas":2}}
        """)!;

    private static RemotePlan Plan() => new(["abc123"],
        [new PlannedObject(Deployments, Deployment()), new PlannedObject(ResourceRef.ConfigMaps, (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"shop"}}""")!)],
        [], "hash-1", [], "shop");

    private static RemoteResource Web(bool applied, int ready) => new("apps", "v1", "Deployment", "shop", "web", applied, applied ? null : "admission denied",
        (JsonObject)JsonNode.Parse($$"""{"metadata":{"generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":{{ready}},"availableReplicas":{{ready}} } }""")!);

    private static RemoteResource Cfg => new("", "v1", "ConfigMap", "shop", "cfg", true, null, null);

    [Fact]
    public void SyncedOnlyWhenTheClusterReportedOnTheCurrentRenderAndEverythingApplied()
    {
        var current = new RemoteObservation("abc123", "hash-1", true, [], [Web(true, 2), Cfg], null);
        var comparison = _comparer.Compare(Plan(), current);
        Assert.True(comparison.Synced);
        Assert.Equal(HealthStatusCode.Healthy, comparison.Health.Status);

        Assert.False(_comparer.Compare(Plan(), current with { Current = false }).Synced);
        Assert.False(_comparer.Compare(Plan(), current with { DesiredHash = "hash-0" }).Synced);
        var failed = _comparer.Compare(Plan(), current with { Resources = [Web(false, 0), Cfg] });
        Assert.False(failed.Synced);
        Assert.Null(failed.Resources.Single(r => r.Planned.Resource.Kind == "Deployment").Live);
    }

    [Fact]
    public void HealthComesFromTheFedBackStatusAndMissingWhenNothingWasDelivered()
    {
        var progressing = _comparer.Compare(Plan(), new RemoteObservation("abc123", "hash-1", true, [], [Web(true, 1), Cfg], null));
        Assert.Equal(HealthStatusCode.Progressing, progressing.Health.Status);
        var none = _comparer.Compare(Plan(), null);
        Assert.False(none.Synced);
        Assert.Equal(HealthStatusCode.Missing, none.Health.Status);
    }

    [Fact]
    public void WhatTheClusterStillHoldsButGitDroppedRequiresPruningExceptTheCreatedNamespace()
    {
        var old = new RemoteResource("", "v1", "ConfigMap", "shop", "old", true, null, null);
        var ns = new RemoteResource("", "v1", "Namespace", "", "shop", true, null, null);
        var comparison = _comparer.Compare(Plan(), new RemoteObservation("abc123", "hash-1", true, [], [ns, Web(true, 2), Cfg, old], null));
        Assert.False(comparison.Synced);
        var prune = Assert.Single(comparison.Resources, r => r.RequiresPruning);
        Assert.Equal("old", prune.Planned.Object["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void HooksADeliveryStillHoldsAreNeitherPrunableNorRetained()
    {
        var hook = (JsonObject)JsonNode.Parse("""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"migrate","namespace":"shop","annotations":{"argocd.argoproj.io/hook":"PreSync"}}}
            """)!;
        var reported = new RemoteResource("batch", "v1", "Job", "shop", "migrate", true, null, JsonNode.Parse("""{"status":{"conditions":[{"type":"Complete","status":"True"}]}}""")!.AsObject());
        var observed = new RemoteObservation("abc123", "hash-1", true, [hook], [Web(true, 2), Cfg, reported], null);
        var comparison = _comparer.Compare(Plan(), observed);
        Assert.True(comparison.Synced);
        Assert.DoesNotContain(comparison.Resources, r => r.Planned.Object["metadata"]!["name"]!.GetValue<string>() == "migrate");
        Assert.Empty(RemoteComparer.Retained(Plan(), observed));
        Assert.Equal(["batch/Job/shop/migrate"], RemoteComparer.DeliveredHooks(observed));
        Assert.Equal(HealthStatusCode.Healthy, _comparer.HealthOf(reported, hook)!.Status);
    }
}
