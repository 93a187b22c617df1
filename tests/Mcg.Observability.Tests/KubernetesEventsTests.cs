using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Tests.Support;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Observability.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Observability.Tests;

/// <summary>Events the hub's and the agent's controllers write, as <c>kubectl get events</c> and <c>kubectl describe</c> show them.</summary>
[Collection(ObservedFleetCollection.Name)]
public sealed class KubernetesEventsTests(ObservedFleet fx)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ApplicationShowsArgoCdsOperationAndStatusEventsInKubectlDescribe()
    {
        using var repo = await fx.ApplyHubApplicationAsync("events-demo", "events-greeting");

        var events = await EventuallyEventsAsync("argocd", "events-demo", e => e.Contains("Sync operation to ") && e.Contains("Updated health status:"));
        Assert.Contains("OperationStarted\tInitiated automated sync to '", events);
        Assert.Contains("ResourceUpdated\tUpdated sync status:  -> OutOfSync", events);
        Assert.Contains("ResourceUpdated\tUpdated sync status: OutOfSync -> Synced", events);
        Assert.Matches(@"OperationCompleted\tSync operation to [0-9a-f]{40} succeeded", events);

        var describe = (await fx.Hub.RunAsync("describe application events-demo -n argocd")).Ok().Out;
        Assert.Contains("Events:", describe);
        Assert.Matches(@"Normal\s+OperationCompleted\s+.*argocd-application-controller\s+Sync operation to [0-9a-f]{40} succeeded", describe);
    }

    [Fact]
    public async Task ClusterAcceptanceAndAppliedOrFailedWorkAreEventsOnTheHub()
    {
        var cluster = (await fx.Hub.RunAsync($"describe managedcluster {ObservedFleet.Cluster}")).Ok().Out;
        Assert.Matches(@"Normal\s+HubClusterAdminAccepted\s+.*registration-controller\s+Managed cluster east accepted by hub cluster admin", cluster);

        (await fx.Hub.RunAsync("apply -f -", $$"""
            apiVersion: work.open-cluster-management.io/v1
            kind: ManifestWork
            metadata:
              name: events-probe
              namespace: {{ObservedFleet.Cluster}}
            spec:
              workload:
                manifests:
                  - apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: events-probe, namespace: default}
                    data: {applied: "yes"}
                  - apiVersion: example.com/v1
                    kind: NoSuchKind
                    metadata: {name: events-probe, namespace: default}
            """)).Ok();
        var events = await EventuallyEventsAsync(ObservedFleet.Cluster, "events-probe", e => e.Contains("ManifestWorkApplyFailed"));
        Assert.Contains("Warning\tManifestWorkApplyFailed\tFailed to apply 1 of 2 manifests of generation 1 to cluster east: NoSuchKind events-probe", events);

        // The bad manifest goes: the next generation applies, and the agent says so on the same work.
        (await fx.Hub.RunAsync($$"""-n {{ObservedFleet.Cluster}} patch manifestwork events-probe --type json -p '[{"op":"remove","path":"/spec/workload/manifests/1"}]'""")).Ok();
        events = await EventuallyEventsAsync(ObservedFleet.Cluster, "events-probe", e => e.Contains("ManifestWorkApplied"));
        Assert.Contains("Normal\tManifestWorkApplied\tApplied 1 manifests of generation 2 to cluster east", events);
    }

    [Fact]
    public async Task RepeatedEventsAreCountedAndManyDifferentOnesCombinedAsClientGoDoes()
    {
        var client = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(fx.Fleet.HubKubeconfig));
        var recorder = new EventRecorder(client, TimeProvider.System, NullLogger<EventRecorder>.Instance);
        var subject = await client.CreateAsync(ResourceRef.ConfigMaps, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "event-subject", ["namespace"] = "default" },
        });

        for (var i = 0; i < 3; i++)
        {
            await recorder.WarningAsync(subject, "events-test", "Retrying", "the same failure", CancellationToken.None);
        }
        for (var i = 0; i < 12; i++)
        {
            await recorder.NormalAsync(subject, "events-test", "Progress", $"step {i}", CancellationToken.None);
        }

        var listed = (await client.ListAsync(ResourceRef.Events, "default", new ListOptions { FieldSelector = "involvedObject.name=event-subject" })).Items;
        var retrying = Assert.Single(listed, e => e["reason"]?.GetValue<string>() == "Retrying");
        Assert.Equal(3, retrying["count"]!.GetValue<int>());
        Assert.Equal(subject.Uid(), retrying["involvedObject"]!["uid"]!.GetValue<string>());
        var progress = listed.Where(e => e["reason"]?.GetValue<string>() == "Progress").ToList();
        // Nine on their own, then one combined Event that counts the rest and carries the latest message.
        Assert.Equal(10, progress.Count);
        var combined = Assert.Single(progress, e => e["message"]!.GetValue<string>().StartsWith(EventRecorder.CombinedPrefix, StringComparison.Ordinal));
        Assert.Equal(EventRecorder.CombinedPrefix + "step 11", combined["message"]!.GetValue<string>());
        Assert.Equal(3, combined["count"]!.GetValue<int>());

        var table = (await fx.Hub.RunAsync("get events -n default --field-selector involvedObject.name=event-subject,reason=Retrying")).Ok().Out;
        Assert.Matches(@"Warning\s+Retrying\s+configmap/event-subject\s+the same failure", table);
    }

    private const string Template = """-o 'go-template={{range .items}}{{.type}}{{"\t"}}{{.reason}}{{"\t"}}{{.message}}{{"\n"}}{{end}}'""";

    /// <summary>The events about one object as "type TAB reason TAB message" lines, once <paramref name="done"/> holds.</summary>
    private async Task<string> EventuallyEventsAsync(string ns, string name, Func<string, bool> done)
    {
        var lines = "";
        await Eventually.TrueAsync(async () =>
        {
            lines = (await fx.Hub.RunAsync($"get events -n {ns} --field-selector involvedObject.name={name} " + Template)).Ok().Out;
            return done(lines);
        }, $"the events of {ns}/{name}", Patience);
        return lines;
    }
}
