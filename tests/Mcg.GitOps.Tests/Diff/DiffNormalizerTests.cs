using System.Text.Json.Nodes;
using Mcg.GitOps.Diff;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Diff;

public class DiffNormalizerTests
{
    private static JsonObject Yaml(string yaml) => YamlJson.Parse(yaml)!.AsObject();

    private static readonly JsonObject Deployment = Yaml("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
          annotations:
            deployment.kubernetes.io/revision: "3"
            kubectl.kubernetes.io/restartedAt: "2024-05-01T10:00:00Z"
            example.com/owner~team: platform
          labels:
            app: web
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              initContainers:
              - name: istio-init
                image: istio/proxyv2:1.22
              containers:
              - name: web
                image: web:1.4
                env:
                - name: LOG_LEVEL
                  value: debug
                - name: POD_IP
                  valueFrom:
                    fieldRef: {fieldPath: status.podIP}
              - name: istio-proxy
                image: istio/proxyv2:1.22
                env:
                - name: LOG_LEVEL
                  value: warning
        """);

    private static JsonObject Normalize(JsonObject obj, string? pointer = null, string? jq = null, string? manager = null, string group = "apps", string kind = "Deployment") =>
        DiffNormalizer.Normalize(obj, [new IgnoreDifference(group, kind, null, null,
            pointer is null ? [] : [pointer], jq is null ? [] : [jq], manager is null ? [] : [manager])]);

    /// <summary>The expected result: the original with <paramref name="remove"/> applied to a copy.</summary>
    private static void AssertRemoved(JsonObject actual, Action<JsonObject> remove)
    {
        var expected = Deployment.DeepClone().AsObject();
        remove(expected);
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
    }

    private static JsonObject Spec(JsonObject d) => d["spec"]!["template"]!["spec"]!.AsObject();

    private static JsonArray Containers(JsonObject d) => Spec(d)["containers"]!.AsArray();

    [Fact]
    public void Json_pointer_removes_the_field()
    {
        AssertRemoved(Normalize(Deployment, pointer: "/spec/replicas"), d => d["spec"]!.AsObject().Remove("replicas"));
    }

    [Fact]
    public void Json_pointer_unescapes_and_indexes_arrays()
    {
        AssertRemoved(Normalize(Deployment, pointer: "/metadata/annotations/example.com~1owner~0team"),
            d => d["metadata"]!["annotations"]!.AsObject().Remove("example.com/owner~team"));
        AssertRemoved(Normalize(Deployment, pointer: "/spec/template/spec/containers/1/image"),
            d => Containers(d)[1]!.AsObject().Remove("image"));
    }

    [Theory]
    [InlineData("/spec/paused")]
    [InlineData("/spec/template/spec/containers/7")]
    [InlineData("/spec/template/spec/containers/01")]
    [InlineData("/spec/replicas/value")]
    public void Json_pointer_to_a_missing_path_changes_nothing(string pointer)
    {
        AssertRemoved(Normalize(Deployment, pointer: pointer), _ => { });
    }

    [Theory]
    [InlineData("spec/replicas")]
    [InlineData("")]
    [InlineData("/metadata/annotations/a~2b")]
    public void Malformed_json_pointer_is_rejected(string pointer)
    {
        var e = Assert.Throws<ArgumentException>(() => Normalize(Deployment, pointer: pointer));
        Assert.Contains($"\"{pointer}\"", e.Message);
    }

    [Fact]
    public void Rules_for_other_objects_leave_it_alone()
    {
        AssertRemoved(Normalize(Deployment, pointer: "/spec/replicas", kind: "StatefulSet"), _ => { });
        AssertRemoved(Normalize(Deployment, pointer: "/spec/replicas", group: ""), _ => { });
    }

    [Fact]
    public void Normalize_does_not_modify_its_argument()
    {
        var before = Deployment.ToJsonString();
        var result = Normalize(Deployment, pointer: "/spec/replicas", jq: ".metadata.labels");
        Assert.Equal(before, Deployment.ToJsonString());
        Assert.NotSame(Deployment, result);
    }

    [Fact]
    public void Jq_field_path()
    {
        AssertRemoved(Normalize(Deployment, jq: ".spec.replicas"), d => d["spec"]!.AsObject().Remove("replicas"));
    }

    [Fact]
    public void Jq_quoted_keys()
    {
        AssertRemoved(Normalize(Deployment, jq: """.metadata.annotations."deployment.kubernetes.io/revision" """),
            d => d["metadata"]!["annotations"]!.AsObject().Remove("deployment.kubernetes.io/revision"));
        AssertRemoved(Normalize(Deployment, jq: """.metadata.annotations["kubectl.kubernetes.io/restartedAt"]"""),
            d => d["metadata"]!["annotations"]!.AsObject().Remove("kubectl.kubernetes.io/restartedAt"));
    }

    [Fact]
    public void Jq_iterates_arrays()
    {
        AssertRemoved(Normalize(Deployment, jq: ".spec.template.spec.containers[]?.image"), d =>
        {
            foreach (var c in Containers(d))
            {
                c!.AsObject().Remove("image");
            }
        });
    }

    [Fact]
    public void Jq_iteration_of_a_missing_or_scalar_value_matches_nothing()
    {
        AssertRemoved(Normalize(Deployment, jq: ".spec.template.spec.volumes[]?.name"), _ => { });
        AssertRemoved(Normalize(Deployment, jq: ".spec.replicas[].x"), _ => { });
    }

    [Fact]
    public void Jq_select_removes_a_field_of_the_selected_items()
    {
        AssertRemoved(Normalize(Deployment, jq: """.spec.template.spec.containers[] | select(.name == "istio-proxy") | .image"""),
            d => Containers(d)[1]!.AsObject().Remove("image"));
    }

    [Fact]
    public void Jq_select_removes_whole_items()
    {
        AssertRemoved(Normalize(Deployment, jq: """.spec.template.spec.initContainers[] | select(.name == "istio-init")"""),
            d => Spec(d)["initContainers"]!.AsArray().RemoveAt(0));
    }

    [Fact]
    public void Jq_nested_selects_and_boolean_conditions()
    {
        AssertRemoved(Normalize(Deployment,
            jq: """.spec.template.spec.containers[] | select(.name == "web" or .name == "sidecar") | .env[] | select(.name != "POD_IP" and (.value == "debug")) | .value"""),
            d => Containers(d)[0]!["env"]![0]!.AsObject().Remove("value"));
    }

    [Fact]
    public void Jq_select_removes_several_items_of_one_array()
    {
        AssertRemoved(Normalize(Deployment, jq: """.spec.template.spec.containers[0].env[] | select(.name)"""),
            d => Containers(d)[0]!["env"]!.AsArray().Clear());
    }

    [Fact]
    public void Jq_negative_index_and_select_with_a_path_suffix()
    {
        AssertRemoved(Normalize(Deployment, jq: """.spec.template.spec.containers[-1]"""),
            d => Containers(d).RemoveAt(1));
        AssertRemoved(Normalize(Deployment, jq: """.spec.template.spec.containers[] | select(.env[0].value == "warning").env"""),
            d => Containers(d)[1]!.AsObject().Remove("env"));
    }

    [Theory]
    [InlineData(".spec.replicas | length")]
    [InlineData("map(.image)")]
    [InlineData(".spec.template.spec.containers[] | select(.name | startswith(\"istio\"))")]
    [InlineData(".spec.template.spec.containers[] | select(.env[].name == \"X\")")]
    [InlineData(".")]
    [InlineData(".spec[")]
    [InlineData(".metadata.annotations.\"unterminated")]
    public void Unsupported_jq_is_rejected_naming_the_expression(string jq)
    {
        var e = Assert.Throws<ArgumentException>(() => Normalize(Deployment, jq: jq));
        Assert.Contains($"\"{jq}\"", e.Message);
    }

    [Fact]
    public void Unsupported_jq_is_rejected_even_when_the_rule_does_not_match()
    {
        Assert.Throws<ArgumentException>(() => Normalize(Deployment, jq: "map(.x)", kind: "Secret"));
    }

    [Fact]
    public void Rules_apply_in_turn()
    {
        var rules = IgnoreDifference.FromApplicationSpec(JsonNode.Parse("""
            [
              {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
              {"group": "*", "kind": "*", "jqPathExpressions": [".metadata.annotations", ".metadata.labels.app"]},
              {"kind": "Deployment", "jsonPointers": ["/spec/selector"]}
            ]
            """)!.AsArray());

        AssertRemoved(DiffNormalizer.Normalize(Deployment, rules), d =>
        {
            d["spec"]!.AsObject().Remove("replicas");
            d["metadata"]!.AsObject().Remove("annotations");
            d["metadata"]!["labels"]!.AsObject().Remove("app");
        });
    }

    [Fact]
    public void Jq_select_compares_numbers_and_booleans()
    {
        var pod = Yaml("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
              - name: web
                ports:
                - containerPort: 8080
                  hostPort: 8080
                - containerPort: 9090
                securityContext:
                  privileged: false
            """);
        var rules = IgnoreDifference.FromApplicationSpec(JsonNode.Parse("""
            [{"kind": "Pod", "jqPathExpressions": [
              ".spec.containers[].ports[] | select(.containerPort == 8080) | .hostPort",
              ".spec.containers[] | select(.securityContext.privileged == false) | .securityContext"
            ]}]
            """)!.AsArray());

        var result = DiffNormalizer.Normalize(pod, rules);

        Assert.Equal("""[{"name":"web","ports":[{"containerPort":8080},{"containerPort":9090}]}]""", result["spec"]!["containers"]!.ToJsonString());
    }
}
