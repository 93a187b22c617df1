using System.Text.Json.Nodes;
using Mcg.Kube.Apply;

namespace Mcg.Kube.Tests.Apply;

public class FieldManagerUpdateTests
{
    private static readonly DateTimeOffset T1 = new(2026, 11, 24, 18, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2026, 11, 24, 19, 0, 0, TimeSpan.Zero);

    private readonly FieldManager fields = new();

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject ConfigMap(string data, string extraMetadata = "", string apiVersion = "v1") =>
        Obj("{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\"" + extraMetadata + "},\"data\":{" + data + "}}");

    private static JsonArray? ManagedFields(JsonObject obj) => obj["metadata"]!["managedFields"] as JsonArray;

    private static string Summary(JsonObject obj) => string.Join(" ", (ManagedFields(obj) ?? []).Select(e =>
        $"{e!["manager"]}/{e["operation"]}/{e["apiVersion"]}{(e["subresource"] is { } s ? "/" + s : "")}={e["fieldsV1"]!.Json()}"));

    [Fact]
    public void Create_owns_every_field_with_maps_marked_as_members()
    {
        var created = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"", ""","labels":{"app":"web"},"uid":"u1","resourceVersion":"1" """), "kubectl-create", T1);

        Assert.Equal(
            """[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2026-11-24T18:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:a":{},"f:b":{},"f:c":{}},"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}]""",
            ManagedFields(created)!.Json());
        Assert.Equal("u1", (string?)created["metadata"]!["uid"]);
    }

    [Fact]
    public void Create_of_a_deployment_does_not_mark_spec_but_marks_new_lists_and_items()
    {
        var created = fields.RecordUpdate(null, Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["x"]},
             "spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"app","image":"a"}]}}}}
            """), "kubectl-create", T1);

        Assert.Equal(
            """kubectl-create/Update/apps/v1={"f:metadata":{"f:finalizers":{".":{},"v:\"x\"":{}}},"f:spec":{"f:replicas":{},"f:template":{".":{},"f:spec":{".":{},"f:containers":{".":{},"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            Summary(created));
    }

    [Fact]
    public void An_update_takes_changed_fields_from_other_managers()
    {
        var live = fields.Apply(null, ConfigMap("\"a\":\"1\",\"b\":\"2\""), "alice", force: false, T1).Object!;

        var result = fields.RecordUpdate(live, ConfigMap("\"a\":\"9\",\"b\":\"2\""), "kubectl-edit", T2);

        Assert.Equal("""alice/Apply/v1={"f:data":{"f:b":{}}} kubectl-edit/Update/v1={"f:data":{"f:a":{}}}""", Summary(result));
        Assert.Equal("2026-11-24T19:00:00Z", (string?)ManagedFields(result)![1]!["time"]);
    }

    [Fact]
    public void Removing_a_list_item_removes_it_from_its_appliers_set()
    {
        var deployment = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[C]}}}}""";
        var live = fields.Apply(null, Obj(deployment.Replace("C", """{"name":"a","image":"a"},{"name":"b","image":"b"}""")), "alice", force: false, T1).Object!;

        var result = fields.RecordUpdate(live, Obj(deployment.Replace("C", """{"name":"b","image":"b"}""")), "editor", T2);

        Assert.Equal(
            """alice/Apply/apps/v1={"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"b\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            Summary(result));
    }

    [Fact]
    public void Removed_fields_leave_every_set()
    {
        var live = fields.Apply(null, ConfigMap("\"a\":\"1\",\"b\":\"2\""), "alice", force: false, T1).Object!;
        live = fields.RecordUpdate(live, ConfigMap("\"a\":\"1\",\"b\":\"2\",\"c\":\"3\""), "editor", T1);

        var result = fields.RecordUpdate(live, ConfigMap("\"b\":\"2\""), "other", T2);

        Assert.Equal("""alice/Apply/v1={"f:data":{"f:b":{}}}""", Summary(result));
    }

    [Fact]
    public void Updates_merge_into_the_managers_entry_for_the_same_api_version()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "editor", T1);
        live = fields.RecordUpdate(live, ConfigMap("\"a\":\"1\",\"b\":\"2\""), "editor", T2);
        Assert.Equal("""editor/Update/v1={"f:data":{".":{},"f:a":{},"f:b":{}}}""", Summary(live));

        var result = fields.RecordUpdate(live, ConfigMap("\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"", apiVersion: "v2"), "editor", T2);

        Assert.Equal("""editor/Update/v1={"f:data":{".":{},"f:a":{},"f:b":{}}} editor/Update/v2={"f:data":{"f:c":{}}}""", Summary(result));
    }

    [Fact]
    public void An_unchanged_write_keeps_managed_fields_as_they_were()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "editor", T1);
        var sent = ConfigMap("\"a\":\"1\"");

        var result = fields.RecordUpdate(live, sent, "someone-else", T2);

        Assert.Equal(ManagedFields(live)!.Json(), ManagedFields(result)!.Json());
        Assert.Null(sent["metadata"]!["managedFields"]);
    }

    [Fact]
    public void Status_updates_record_the_subresource()
    {
        var live = fields.RecordUpdate(null, Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"n"}}"""), "creator", T1);
        var updated = live.DeepClone().AsObject();
        updated["status"] = Obj("""{"phase":"Running"}""");

        var result = fields.RecordUpdate(live, updated, "kubelet", T2, subresource: "status");

        Assert.Equal("""creator/Update/v1={"f:spec":{"f:nodeName":{}}} kubelet/Update/v1/status={"f:status":{"f:phase":{}}}""", Summary(result));
    }

    [Fact]
    public void Managed_fields_sent_with_a_write_replace_the_stored_ones()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "editor", T1);
        var reset = ConfigMap("\"a\":\"1\"", ""","managedFields":[{}]""");

        var result = fields.RecordUpdate(live, reset, "resetter", T2);

        Assert.Null(ManagedFields(result));
    }

    [Fact]
    public void Managed_fields_are_ignored_when_comparing()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "editor", T1);
        var sent = live.DeepClone().AsObject();
        sent["data"]!["b"] = "2";

        var result = fields.RecordUpdate(live, sent, "other", T2);

        Assert.Equal("""editor/Update/v1={"f:data":{".":{},"f:a":{}}} other/Update/v1={"f:data":{"f:b":{}}}""", Summary(result));
    }
}
