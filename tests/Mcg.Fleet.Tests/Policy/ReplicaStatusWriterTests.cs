using System.Text.Json.Nodes;
using Mcg.Fleet.Policy;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging.Abstractions;
using static Mcg.Fleet.Tests.Policy.Json;

namespace Mcg.Fleet.Tests.Policy;

public class ReplicaStatusWriterTests
{
    private static JsonObject Replica() => Obj("""
        {'apiVersion':'policy.open-cluster-management.io/v1','kind':'Policy',
         'metadata':{'name':'policies.p','namespace':'cluster1','uid':'uid-1','resourceVersion':'10'},
         'spec':{'policy-templates':[]}}
        """);

    private static (ReplicaStatusWriter Writer, RecordingKubeClient Client) Writer(JsonObject replica)
    {
        var client = new RecordingKubeClient(replica);
        return (new ReplicaStatusWriter(client, new EventRecorder(client, TimeProvider.System, NullLogger<EventRecorder>.Instance, "cluster1"),
            "configuration-policy-controller"), client);
    }

    [Fact]
    public async Task MessagesBecomeEventsAndHistoryNewestFirst()
    {
        var (writer, client) = Writer(Replica());
        var updated = await writer.WriteAsync(client.Target,
            [("t1", ["NonCompliant; violation - namespaces [a] not found", "Compliant; notification - namespaces [a] was created successfully"]),
             ("t2", ["NonCompliant; violation - configmaps [b] not found in namespace default"])], default);

        Assert.NotNull(updated);
        Assert.Equal("NonCompliant", updated!["status"]!["compliant"]!.GetValue<string>());
        var details = updated["status"]!["details"]!.AsArray();
        Assert.Equal("t1", details[0]!["templateMeta"]!["name"]!.GetValue<string>());
        Assert.Equal("Compliant", details[0]!["compliant"]!.GetValue<string>());
        Assert.Equal(["Compliant; notification - namespaces [a] was created successfully", "NonCompliant; violation - namespaces [a] not found"],
            details[0]!["history"]!.AsArray().Select(h => h!["message"]!.GetValue<string>()));
        Assert.Equal("NonCompliant", details[1]!["compliant"]!.GetValue<string>());

        Assert.Equal(3, client.Created.Count);
        var first = client.Created[0];
        Assert.Equal("Event", first.Kind());
        Assert.Equal("cluster1", first.Namespace());
        Assert.StartsWith("policies.p.", first.Name());
        Assert.Equal("policy: cluster1/t1", first["reason"]!.GetValue<string>());
        Assert.Equal("Warning", first["type"]!.GetValue<string>());
        Assert.Equal("Normal", client.Created[1]["type"]!.GetValue<string>());
        Assert.Equal("uid-1", first["involvedObject"]!["uid"]!.GetValue<string>());
        Assert.Equal("ConfigurationPolicy", first["related"]!["kind"]!.GetValue<string>());
        Assert.Equal(client.Created[1].Name(), details[0]!["history"]![0]!["eventName"]!.GetValue<string>());
    }

    [Fact]
    public async Task HistoryIsCappedAtTen()
    {
        var (writer, client) = Writer(Replica());
        for (var i = 0; i < 12; i++)
        {
            await writer.WriteAsync(client.Target, [("t", [$"{(i % 2 == 0 ? "NonCompliant; violation" : "Compliant; notification")} - message {i}"])], default);
        }
        var history = client.Target["status"]!["details"]![0]!["history"]!.AsArray();
        Assert.Equal(10, history.Count);
        Assert.Equal("Compliant; notification - message 11", history[0]!["message"]!.GetValue<string>());
        Assert.Equal("NonCompliant; violation - message 2", history[9]!["message"]!.GetValue<string>());
        Assert.Equal("Compliant", client.Target["status"]!["compliant"]!.GetValue<string>());
        Assert.Equal("Compliant; notification - message 11", ReplicaStatusWriter.LatestMessage(client.Target, "t"));
    }

    [Fact]
    public async Task NothingNewWritesNothing()
    {
        var (writer, client) = Writer(Replica());
        await writer.WriteAsync(client.Target, [("t", ["Compliant; notification - x"])], default);
        Assert.Null(await writer.WriteAsync(client.Target, [("t", [])], default));
        Assert.Single(client.Patches);
    }

    [Fact]
    public async Task TemplatesWithoutMessagesLeaveThePolicyUnknown()
    {
        var (writer, client) = Writer(Replica());
        var updated = await writer.WriteAsync(client.Target, [("a", ["Compliant; notification - x"]), ("b", [])], default);
        Assert.Null(updated!["status"]!["compliant"]);
        Assert.Null(updated["status"]!["details"]![1]!["compliant"]);
    }
}
