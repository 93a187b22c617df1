using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests;

/// <summary>The official KubernetesClient against a real server process, on a custom resource.</summary>
public sealed class KubernetesClientTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Group = "fleet.example.com";
    private const string Version = "v1";
    private const string Plural = "gadgets";

    [Fact]
    public async Task CustomResourceLifecycle()
    {
        using var client = fixture.Server.Client();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "lab" } });
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = $"{Plural}.{Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Plural = Plural, Singular = "gadget", Kind = "Gadget", ShortNames = ["gd"] },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = Version, Served = true, Storage = true,
                        Subresources = new V1CustomResourceSubresources { Status = new object() },
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                    },
                ],
            },
        });

        // Create.
        var created = Json(await client.CustomObjects.CreateNamespacedCustomObjectAsync(
            Gadget("alpha", "blue", 1), Group, Version, "lab", Plural));
        var createdRv = long.Parse(created["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());
        Assert.NotNull(created["metadata"]!["uid"]);

        // Watch from the create's resourceVersion, then change things.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<(WatchEventType Type, JsonObject Obj)>();
        var watchDone = Task.Run(async () =>
        {
            await foreach (var (type, obj) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                Group, Version, "lab", Plural, resourceVersion: createdRv.ToString(), cancellationToken: cts.Token))
            {
                events.Add((type, Json(obj)));
                if (type == WatchEventType.Deleted)
                {
                    break;
                }
            }
        }, cts.Token);

        // Server-side apply: creates beta, and changes alpha's spec (a new generation).
        var applied = Json(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(Gadget("beta", "red", 2).ToJsonString(), V1Patch.PatchType.ApplyPatch), Group, Version, "lab", Plural, "beta", fieldManager: "tester", force: true));
        Assert.Equal("red", applied["spec"]!["color"]!.GetValue<string>());
        var alpha = Json(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(Gadget("alpha", "green", 1).ToJsonString(), V1Patch.PatchType.ApplyPatch), Group, Version, "lab", Plural, "alpha", fieldManager: "tester", force: true));
        Assert.Equal(2, alpha["metadata"]!["generation"]!.GetValue<long>());

        // List by label.
        var reds = Json(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Version, "lab", Plural, labelSelector: "color=red"));
        Assert.Equal(["beta"], reds["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));

        // Status update: status changes, generation does not; spec changes sent there are ignored.
        var withStatus = Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "lab", Plural, "alpha"));
        withStatus["status"] = new JsonObject { ["phase"] = "Ready" };
        withStatus["spec"]!["color"] = "ignored";
        var statusResult = Json(await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(withStatus, Group, Version, "lab", Plural, "alpha"));
        Assert.Equal("Ready", statusResult["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("green", statusResult["spec"]!["color"]!.GetValue<string>());
        Assert.Equal(2, statusResult["metadata"]!["generation"]!.GetValue<long>());

        // A stale resourceVersion is a 409 Conflict Status.
        withStatus["metadata"]!["resourceVersion"] = createdRv.ToString();
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ReplaceNamespacedCustomObjectAsync(withStatus, Group, Version, "lab", Plural, "alpha"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", conflict.Response.Content);

        // Delete with a finalizer: marked, then removed when the finalizer goes.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"finalizers":["example.com/hold"]}}""", V1Patch.PatchType.MergePatch), Group, Version, "lab", Plural, "alpha");
        var marked = Json(await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, "lab", Plural, "alpha"));
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.NotNull(Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "lab", Plural, "alpha"))["metadata"]!["deletionTimestamp"]);
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), Group, Version, "lab", Plural, "alpha");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "lab", Plural, "alpha"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);

        await watchDone;
        Assert.Equal(
            [WatchEventType.Added, WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Deleted],
            events.Select(e => e.Type));
        Assert.Equal("beta", events[0].Obj["metadata"]!["name"]!.GetValue<string>());
        var rvs = events.Select(e => long.Parse(e.Obj["metadata"]!["resourceVersion"]!.GetValue<string>())).ToList();
        Assert.Equal(rvs.Order(), rvs);
        Assert.All(rvs, rv => Assert.True(rv > createdRv));
    }

    [Fact]
    public async Task ListPagesWithLimitAndContinue()
    {
        using var client = fixture.Server.Client();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "paged" } });
        for (var i = 0; i < 25; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i:D2}" } }, "paged");
        }
        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync("paged", limit: 10, continueParameter: token);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"cm-{i:D2}"), names);
    }

    private static JsonObject Gadget(string name, string color, int size) => new()
    {
        ["apiVersion"] = $"{Group}/{Version}",
        ["kind"] = "Gadget",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "lab", ["labels"] = new JsonObject { ["color"] = color } },
        ["spec"] = new JsonObject { ["color"] = color, ["size"] = size },
    };

    private static JsonObject Json(object o) => o switch
    {
        JsonElement e => (JsonObject)JsonNode.Parse(e.GetRawText())!,
        _ => (JsonObject)JsonNode.Parse(JsonSerializer.Serialize(o))!,
    };
}
