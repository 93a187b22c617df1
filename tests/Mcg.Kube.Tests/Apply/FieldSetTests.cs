using System.Text.Json.Nodes;
using Mcg.Kube.Apply;

namespace Mcg.Kube.Tests.Apply;

public class FieldSetTests
{
    private static FieldSet Parse(string json) => FieldSet.FromFieldsV1(JsonNode.Parse(json)!.AsObject());

    private static FieldSet FromObject(string json) => FieldSet.FromObject(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void FieldsV1_round_trips_exactly()
    {
        const string json = """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{}}}}}""";

        Assert.Equal(json, Parse(json).ToString());
    }

    [Fact]
    public void FieldsV1_is_written_in_element_order_with_dot_first()
    {
        var set = Parse("""{"v:\"b\"":{},"f:z":{},"k:{\"port\":443}":{"f:x":{},".":{}},"k:{\"port\":80}":{},"f:a":{"f:y":{}},"v:\"a\"":{}}""");

        Assert.Equal(
            """{"f:a":{"f:y":{}},"f:z":{},"k:{\"port\":80}":{},"k:{\"port\":443}":{".":{},"f:x":{}},"v:\"a\"":{},"v:\"b\"":{}}""",
            set.ToString());
    }

    [Fact]
    public void Keys_are_sorted_and_compact()
    {
        var element = PathElement.Key([new("protocol", "TCP"), new("containerPort", 80)]);

        Assert.Equal("""k:{"containerPort":80,"protocol":"TCP"}""", element.Serialize());
        Assert.Equal("""[containerPort=80,protocol="TCP"]""", element.ToString());
        Assert.True(PathElement.TryParse("""k:{ "protocol": "TCP", "containerPort": 80 }""", out var parsed));
        Assert.Equal(element, parsed);
    }

    [Fact]
    public void Unknown_prefixes_are_dropped_when_parsing()
    {
        Assert.Equal("""{"f:a":{}}""", Parse("""{"f:a":{},"i:0":{},"x":{}}""").ToString());
    }

    [Fact]
    public void Paths_print_like_kubernetes()
    {
        var set = Parse("""{"f:data":{"f:a":{}},"f:metadata":{"f:finalizers":{"v:\"x\"":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{}}}}}""");

        Assert.Equal(
            [".data.a", """.metadata.finalizers[="x"]""", """.spec.containers[name="app"]""", """.spec.containers[name="app"].image"""],
            set.Paths.Select(p => p.ToString()));
        Assert.True(set.Contains(FieldPath.Of("data", "a")));
        Assert.False(set.Contains(FieldPath.Of("data")));
        Assert.False(set.Contains(FieldPath.Of("spec", "containers")));
    }

    [Fact]
    public void Union_intersection_and_difference()
    {
        var a = Parse("""{"f:data":{"f:a":{},"f:b":{}},"f:spec":{"k:{\"name\":\"x\"}":{".":{},"f:image":{}}}}""");
        var b = Parse("""{"f:data":{"f:b":{},"f:c":{}},"f:spec":{"k:{\"name\":\"x\"}":{"f:image":{}}}}""");

        Assert.Equal("""{"f:data":{"f:a":{},"f:b":{},"f:c":{}},"f:spec":{"k:{\"name\":\"x\"}":{".":{},"f:image":{}}}}""", a.Union(b).ToString());
        Assert.Equal("""{"f:data":{"f:b":{}},"f:spec":{"k:{\"name\":\"x\"}":{"f:image":{}}}}""", a.Intersection(b).ToString());
        Assert.Equal("""{"f:data":{"f:a":{}},"f:spec":{"k:{\"name\":\"x\"}":{}}}""", a.Difference(b).ToString());
        Assert.True(b.Difference(a).Difference(Parse("""{"f:data":{"f:c":{}}}""")).IsEmpty);
        Assert.True(a.Union(b).Intersection(a).SetEquals(a));
    }

    [Fact]
    public void Difference_by_a_member_keeps_paths_below_it()
    {
        var a = Parse("""{"f:spec":{".":{},"f:x":{}}}""");

        Assert.Equal("""{"f:spec":{"f:x":{}}}""", a.Difference(Parse("""{"f:spec":{}}""")).ToString());
    }

    [Fact]
    public void From_object_uses_merge_keys_set_lists_and_atomic_leaves()
    {
        var set = FromObject("""
            {
              "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"], "annotations": {}},
              "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {
                  "containers": [{"name": "app", "image": "nginx", "args": ["-v"], "env": [{"name": "A", "value": "1"}],
                                  "ports": [{"containerPort": 80}]}],
                  "volumes": []
                }}
              }
            }
            """);

        Assert.Equal(
            """{"f:metadata":{"f:finalizers":{"v:\"a\"":{},"v:\"b\"":{}},"f:labels":{"f:app":{}},"f:name":{}},"f:spec":{"f:selector":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:args":{},"f:env":{"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80}":{".":{},"f:containerPort":{}}}}}}}}}""",
            set.ToString());
    }

    [Fact]
    public void Lists_without_their_keys_are_atomic()
    {
        var set = FromObject("""{"spec": {"containers": [{"image": "x"}], "ports": [{"port": 80}, {"port": 80}], "selector": {"app": "web"}}}""");

        Assert.Equal("""{"f:spec":{"f:containers":{},"f:ports":{},"f:selector":{"f:app":{}}}}""", set.ToString());
    }
}
