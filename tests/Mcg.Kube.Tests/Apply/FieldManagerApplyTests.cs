using System.Text.Json.Nodes;
using Mcg.Kube.Apply;

namespace Mcg.Kube.Tests.Apply;

public class FieldManagerApplyTests
{
    private static readonly DateTimeOffset T1 = new(2026, 11, 24, 18, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2026, 11, 25, 9, 30, 15, 500, TimeSpan.FromHours(2));

    private readonly FieldManager fields = new();

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject ConfigMap(string data, string extraMetadata = "") =>
        Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default" """ + extraMetadata + "},\"data\":{" + data + "}}");

    private JsonObject Applied(JsonObject? live, JsonObject applied, string manager, bool force = false, DateTimeOffset? now = null)
    {
        var result = fields.Apply(live, applied, manager, force, now ?? T1);
        Assert.True(result.Succeeded, result.Message);
        return result.Object!;
    }

    private static JsonArray ManagedFields(JsonObject obj) => obj["metadata"]!["managedFields"]!.AsArray();

    private static JsonObject Entry(JsonObject obj, string manager) =>
        ManagedFields(obj).Single(e => (string?)e!["manager"] == manager)!.AsObject();

    private static string FieldsV1(JsonObject obj, string manager) => Entry(obj, manager)["fieldsV1"]!.Json();

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy["metadata"]!.AsObject().Remove("managedFields");
        return copy;
    }

    [Fact]
    public void Apply_creates_the_object_with_an_apply_entry()
    {
        var applied = ConfigMap("""
            "a":"1","b":"2","c":"3"
            """, ""","labels":{"app":"web"}""");

        var result = Applied(null, applied, "alice");

        Assert.True(JsonNode.DeepEquals(applied, WithoutManagedFields(result)));
        Assert.Equal(
            """[{"manager":"alice","operation":"Apply","apiVersion":"v1","time":"2026-11-24T18:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{},"f:b":{},"f:c":{}},"f:metadata":{"f:labels":{"f:app":{}}}}}]""",
            ManagedFields(result).Json());
    }

    [Fact]
    public void Apply_does_not_modify_its_arguments()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\""), "alice");
        var liveText = live.Json();
        var applied = ConfigMap("\"b\":\"2\"");
        var appliedText = applied.Json();

        fields.Apply(live, applied, "alice", force: false, T2);

        Assert.Equal(liveText, live.Json());
        Assert.Equal(appliedText, applied.Json());
    }

    [Fact]
    public void Deployment_field_set_has_keyed_items_and_an_atomic_selector()
    {
        var deployment = Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"app","image":"nginx:1","ports":[{"containerPort":80}],"env":[{"name":"A","value":"1"}]}]}}}}
            """);

        var result = Applied(null, deployment, "kubectl");

        Assert.Equal(
            """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80}":{".":{},"f:containerPort":{}}}}}}}}}""",
            FieldsV1(result, "kubectl"));
        Assert.Equal("apps/v1", (string?)Entry(result, "kubectl")["apiVersion"]);
    }

    [Fact]
    public void Reapplying_without_a_field_removes_it()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\",\"b\":\"2\"", ""","labels":{"app":"web"}"""), "alice");

        var result = Applied(live, ConfigMap("\"a\":\"1\""), "alice", now: T2);

        Assert.Equal("""{"a":"1"}""", result["data"]!.Json());
        Assert.Null(result["metadata"]!["labels"]);
        Assert.Equal("cm", (string?)result["metadata"]!["name"]);
        Assert.Equal("""{"f:data":{"f:a":{}}}""", FieldsV1(result, "alice"));
        Assert.Equal("2026-11-25T07:30:15Z", (string?)Entry(result, "alice")["time"]);
    }

    [Fact]
    public void Reapplying_keeps_fields_nobody_owns()
    {
        var live = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","uid":"u1","resourceVersion":"7","creationTimestamp":"2026-01-01T00:00:00Z"},"data":{"legacy":"x"}}""");

        var first = Applied(live, ConfigMap("\"a\":\"1\""), "alice");
        var second = Applied(first, ConfigMap("\"b\":\"2\""), "alice");

        Assert.Equal("""{"legacy":"x","b":"2"}""", second["data"]!.Json());
        Assert.Equal("u1", (string?)second["metadata"]!["uid"]);
        Assert.Equal("7", (string?)second["metadata"]!["resourceVersion"]);
        Assert.Equal("2026-01-01T00:00:00Z", (string?)second["metadata"]!["creationTimestamp"]);
    }

    [Fact]
    public void Server_metadata_in_the_configuration_does_not_overwrite_the_live_object()
    {
        var live = Applied(Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","uid":"u1","generation":3}}"""), ConfigMap("\"a\":\"1\""), "alice");

        var result = Applied(live, ConfigMap("\"a\":\"1\"", ""","uid":"other","generation":9"""), "alice");

        Assert.Equal("u1", (string?)result["metadata"]!["uid"]);
        Assert.Equal(3, (int)result["metadata"]!["generation"]!);
        Assert.Equal("""{"f:data":{"f:a":{}}}""", FieldsV1(result, "alice"));
    }

    [Fact]
    public void A_no_op_reapply_keeps_the_entry_time()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\""), "alice");

        var result = Applied(live, ConfigMap("\"a\":\"1\""), "alice", now: T2);

        Assert.Equal(live.Json(), result.Json());
    }

    [Fact]
    public void Managers_applying_the_same_value_co_own_it()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\",\"b\":\"2\""), "alice");

        var result = Applied(live, ConfigMap("\"a\":\"1\",\"c\":\"3\""), "bob");

        Assert.Equal("""{"a":"1","b":"2","c":"3"}""", result["data"]!.Json());
        Assert.Equal("""{"f:data":{"f:a":{},"f:b":{}}}""", FieldsV1(result, "alice"));
        Assert.Equal("""{"f:data":{"f:a":{},"f:c":{}}}""", FieldsV1(result, "bob"));
    }

    [Fact]
    public void A_co_owned_field_survives_when_one_owner_stops_applying_it()
    {
        var live = Applied(Applied(null, ConfigMap("\"a\":\"1\",\"b\":\"2\""), "alice"), ConfigMap("\"a\":\"1\""), "bob");

        var result = Applied(live, ConfigMap("\"b\":\"2\""), "alice");

        Assert.Equal("""{"a":"1","b":"2"}""", result["data"]!.Json());
        Assert.Equal("""{"f:data":{"f:b":{}}}""", FieldsV1(result, "alice"));
        Assert.Equal("""{"f:data":{"f:a":{}}}""", FieldsV1(result, "bob"));
    }

    [Fact]
    public void Applying_a_different_value_conflicts()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\""), "alice");

        var result = fields.Apply(live, ConfigMap("\"a\":\"2\""), "bob", force: false, T2);

        Assert.False(result.Succeeded);
        Assert.Null(result.Object);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .data.a", result.Message);
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal("alice", conflict.Manager);
        Assert.Equal(".data.a", conflict.Field);
        Assert.Equal("conflict with \"alice\"", conflict.Message);
    }

    [Fact]
    public void Several_conflicts_are_grouped_by_manager()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\",\"b\":\"1\""), "zed");
        live = fields.RecordUpdate(live, ConfigMap("\"a\":\"1\",\"b\":\"1\",\"c\":\"1\"", ""","labels":{"x":"y"}"""), "kubectl-edit", T1);

        var result = fields.Apply(live, ConfigMap("\"a\":\"2\",\"b\":\"2\",\"c\":\"2\"", ""","labels":{"x":"z"}"""), "bob", force: false, T2);

        Assert.Equal(
            "Apply failed with 4 conflicts: conflicts with \"kubectl-edit\" using v1:\n- .data.c\n- .metadata.labels.x\nconflicts with \"zed\":\n- .data.a\n- .data.b",
            result.Message);
    }

    [Fact]
    public void Force_takes_ownership()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\",\"b\":\"1\""), "alice");

        var result = Applied(live, ConfigMap("\"a\":\"2\""), "bob", force: true);

        Assert.Equal("""{"a":"2","b":"1"}""", result["data"]!.Json());
        Assert.Equal("""{"f:data":{"f:b":{}}}""", FieldsV1(result, "alice"));
        Assert.Equal("""{"f:data":{"f:a":{}}}""", FieldsV1(result, "bob"));
    }

    [Fact]
    public void Force_drops_an_entry_left_empty()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\""), "alice");

        var result = Applied(live, ConfigMap("\"a\":\"2\""), "bob", force: true);

        Assert.Equal(["bob"], ManagedFields(result).Select(e => (string?)e!["manager"]));
    }

    [Fact]
    public void An_update_owner_conflicts_with_an_apply_of_a_different_value()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "kubectl-client-side-apply", T1);

        var result = fields.Apply(live, ConfigMap("\"a\":\"2\""), "kubectl", force: false, T2);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.a", result.Message);
        Assert.Equal("conflict with \"kubectl-client-side-apply\" using v1", result.Conflicts[0].Message);
    }

    [Fact]
    public void An_update_owner_co_owns_an_applied_equal_value()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "kubectl-create", T1);

        var result = Applied(live, ConfigMap("\"a\":\"1\""), "kubectl", now: T2);

        Assert.Equal("""{"f:data":{".":{},"f:a":{}}}""", FieldsV1(result, "kubectl-create"));
        Assert.Equal("""{"f:data":{"f:a":{}}}""", FieldsV1(result, "kubectl"));
    }

    [Fact]
    public void Same_manager_updating_and_applying_are_different_owners()
    {
        var live = fields.RecordUpdate(null, ConfigMap("\"a\":\"1\""), "kubectl", T1);

        var result = fields.Apply(live, ConfigMap("\"a\":\"2\""), "kubectl", force: false, T2);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\" using v1: .data.a", result.Message);
    }

    private static JsonObject Deployment(string containers) =>
        Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[""" + containers + "]}}}}");

    private static string Containers(JsonObject obj) => obj["spec"]!["template"]!["spec"]!["containers"]!.Json();

    [Fact]
    public void Keyed_list_items_are_owned_separately()
    {
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1"}"""), "alice");
        live = Applied(live, Deployment("""{"name":"side","image":"side:1"}"""), "bob");
        Assert.Equal("""[{"name":"app","image":"app:1"},{"name":"side","image":"side:1"}]""", Containers(live));

        var result = Applied(live, Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}"""), "alice");

        Assert.Equal("""[{"name":"side","image":"side:1"}]""", Containers(result));
        Assert.Equal(1, (int)result["spec"]!["replicas"]!);
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", FieldsV1(result, "alice"));
        Assert.Equal(
            """{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"side\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            FieldsV1(result, "bob"));
    }

    [Fact]
    public void Changing_another_managers_list_item_conflicts_with_a_keyed_path()
    {
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1"}"""), "alice");

        var result = fields.Apply(live, Deployment("""{"name":"app","image":"app:2"}"""), "bob", force: false, T2);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.template.spec.containers[name=\"app\"].image", result.Message);
    }

    [Fact]
    public void Managers_can_set_different_fields_of_one_item()
    {
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1"}"""), "alice");

        var result = Applied(live, Deployment("""{"name":"app","imagePullPolicy":"Always"}"""), "bob");

        Assert.Equal("""[{"name":"app","image":"app:1","imagePullPolicy":"Always"}]""", Containers(result));
        Assert.Equal(
            """{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:imagePullPolicy":{},"f:name":{}}}}}}}""",
            FieldsV1(result, "bob"));
    }

    [Fact]
    public void Env_entries_inside_a_shared_container_are_owned_separately()
    {
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1","env":[{"name":"FOO","value":"1"}]}"""), "alice");
        live = Applied(live, Deployment("""{"name":"app","env":[{"name":"BAR","value":"2"}]}"""), "bob");
        Assert.Equal("""[{"name":"app","image":"app:1","env":[{"name":"FOO","value":"1"},{"name":"BAR","value":"2"}]}]""", Containers(live));

        var result = Applied(live, Deployment("""{"name":"app","image":"app:1"}"""), "alice");

        Assert.Equal("""[{"name":"app","image":"app:1","env":[{"name":"BAR","value":"2"}]}]""", Containers(result));
    }

    [Fact]
    public void An_item_another_manager_still_owns_fields_of_keeps_its_key()
    {
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1"}"""), "alice");
        live = Applied(live, Deployment("""{"name":"app","env":[{"name":"BAR","value":"2"}]}"""), "bob");

        var result = Applied(live, Deployment(""), "alice");

        Assert.Equal("""[{"name":"app","env":[{"name":"BAR","value":"2"}]}]""", Containers(result));
    }

    [Fact]
    public void Lists_whose_items_lack_the_merge_key_are_replaced_whole()
    {
        var entry = """{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"se"},"spec":{"ports":[PORTS]}}""";
        var live = Applied(null, Obj(entry.Replace("PORTS", """{"number":80,"name":"http"},{"number":443,"name":"https"}""")), "alice");

        var result = Applied(live, Obj(entry.Replace("PORTS", """{"number":8080,"name":"http"}""")), "alice");

        Assert.Equal("""[{"number":8080,"name":"http"}]""", result["spec"]!["ports"].Json());
        Assert.Equal("""{"f:spec":{"f:ports":{}}}""", FieldsV1(result, "alice"));
    }

    [Fact]
    public void Atomic_lists_and_selectors_are_replaced_whole()
    {
        var live = Applied(null, Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"selector":{"matchLabels":{"app":"web","tier":"fe"}},"template":{"spec":{"containers":[{"name":"app","args":["a","b"]}]}}}}
            """), "alice");

        var result = Applied(live, Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[{"name":"app","args":["c"]}]}}}}
            """), "alice");

        Assert.Equal("""{"matchLabels":{"app":"web"}}""", result["spec"]!["selector"]!.Json());
        Assert.Equal("""[{"name":"app","args":["c"]}]""", Containers(result));
    }

    [Fact]
    public void Set_lists_merge_as_a_union_and_prune_per_value()
    {
        var live = Applied(null, ConfigMap("", ""","finalizers":["a/x"]"""), "alice");
        live = Applied(live, ConfigMap("", ""","finalizers":["b/y"]"""), "bob");
        Assert.Equal("""["a/x","b/y"]""", live["metadata"]!["finalizers"]!.Json());
        Assert.Equal("""{"f:metadata":{"f:finalizers":{"v:\"b/y\"":{}}}}""", FieldsV1(live, "bob"));

        var result = Applied(live, ConfigMap(""), "alice");

        Assert.Equal("""["b/y"]""", result["metadata"]!["finalizers"]!.Json());
    }

    [Fact]
    public void Applying_null_clears_a_field_and_conflicts_with_its_owner()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\",\"b\":\"2\""), "alice");

        var conflict = fields.Apply(live, ConfigMap("\"a\":null"), "bob", force: false, T2);
        var result = Applied(live, ConfigMap("\"a\":null"), "bob", force: true);

        Assert.Equal(".data.a", Assert.Single(conflict.Conflicts).Field);
        Assert.Equal("""{"b":"2"}""", result["data"]!.Json());
    }

    [Fact]
    public void Managed_fields_keep_their_order_and_new_entries_are_appended()
    {
        var live = Applied(null, ConfigMap("\"a\":\"1\""), "alice");
        live = Applied(live, ConfigMap("\"b\":\"1\""), "bob");
        live = fields.RecordUpdate(live, ConfigMap("\"a\":\"1\",\"b\":\"1\",\"c\":\"1\""), "editor", T1);

        var result = Applied(live, ConfigMap("\"a\":\"1\",\"d\":\"1\""), "alice", now: T2);

        Assert.Equal(["alice", "bob", "editor"], ManagedFields(result).Select(e => (string?)e!["manager"]));
        Assert.Equal("""{"f:data":{"f:a":{},"f:d":{}}}""", FieldsV1(result, "alice"));
    }

    [Fact]
    public void Status_applies_record_a_status_subresource_entry()
    {
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1"}"""), "alice");
        var applied = Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5},
             "status":{"replicas":1,"conditions":[{"type":"Available","status":"True"}]}}
            """);

        var result = fields.Apply(live, applied, "controller", force: false, T2, isStatusSubresource: true).Object!;

        Assert.Null(result["spec"]!["replicas"]);
        Assert.Equal("""{"replicas":1,"conditions":[{"type":"Available","status":"True"}]}""", result["status"]!.Json());
        Assert.Equal(
            """{"manager":"controller","operation":"Apply","apiVersion":"apps/v1","time":"2026-11-25T07:30:15Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{"k:{\"type\":\"Available\"}":{".":{},"f:status":{},"f:type":{}}},"f:replicas":{}}},"subresource":"status"}""",
            Entry(result, "controller").Json());
    }

    [Fact]
    public void Main_and_status_applies_by_one_manager_are_separate_entries()
    {
        var status = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"status":{"replicas":1}}""");
        var live = Applied(null, Deployment("""{"name":"app","image":"app:1"}"""), "ctl");
        live = fields.Apply(live, status, "ctl", force: false, T1, isStatusSubresource: true).Object!;
        Assert.Equal(2, ManagedFields(live).Count);

        status["status"]!["replicas"] = 2;
        var result = fields.Apply(live, status, "ctl", force: false, T2);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"ctl\" with subresource \"status\": .status.replicas", result.Message);
    }

    [Theory]
    [InlineData("""{"kind":"ConfigMap","metadata":{"name":"cm"}}""", "apiVersion must be set in the applied configuration")]
    [InlineData("""{"apiVersion":"v1","metadata":{"name":"cm"}}""", "kind must be set in the applied configuration")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""", "metadata.name must be set in the applied configuration")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","managedFields":[]}}""", "metadata.managedFields must be nil")]
    public void Invalid_configurations_are_rejected(string applied, string message)
    {
        var error = Assert.Throws<ApplyException>(() => fields.Apply(null, Obj(applied), "alice", force: false, T1));

        Assert.Equal(message, error.Message);
    }
}
