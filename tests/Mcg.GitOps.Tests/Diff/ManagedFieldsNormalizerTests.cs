using System.Text.Json.Nodes;
using Mcg.GitOps.Diff;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Diff;

public class ManagedFieldsNormalizerTests
{
    private static JsonObject Yaml(string yaml) => YamlJson.Parse(yaml)!.AsObject();

    /// <summary>A live Deployment: argocd applied it; an HPA (kube-controller-manager) scales it; a mutating webhook added a sidecar.</summary>
    private static readonly JsonObject Live = Yaml("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
          labels:
            app: web
            injected: "true"
          managedFields:
          - manager: argocd-controller
            operation: Apply
            apiVersion: apps/v1
            fieldsType: FieldsV1
            fieldsV1:
              f:metadata:
                f:labels:
                  f:app: {}
              f:spec:
                f:template:
                  f:spec:
                    f:containers:
                      k:{"name":"web"}:
                        .: {}
                        f:image: {}
                        f:name: {}
                    f:tolerations: {}
          - manager: kube-controller-manager
            operation: Update
            apiVersion: apps/v1
            fieldsType: FieldsV1
            fieldsV1:
              f:spec:
                f:replicas: {}
          - manager: sidecar-injector
            operation: Update
            apiVersion: apps/v1
            fieldsType: FieldsV1
            fieldsV1:
              f:metadata:
                f:labels:
                  .: {}
                  f:injected: {}
              f:spec:
                f:template:
                  f:spec:
                    f:containers:
                      k:{"name":"web"}:
                        f:name: {}
                        f:env:
                          .: {}
                          k:{"name":"PROXY"}:
                            .: {}
                            f:name: {}
                            f:value: {}
                      k:{"name":"proxy"}:
                        .: {}
                        f:image: {}
                        f:name: {}
                    f:finalizerHints:
                      v:"proxy": {}
        spec:
          replicas: 5
          template:
            spec:
              containers:
              - name: web
                image: web:1.4
                env:
                - name: PROXY
                  value: "1"
              - name: proxy
                image: envoy:1.30
              finalizerHints: [proxy, web]
              tolerations:
              - key: dedicated
                operator: Exists
        """);

    private static JsonObject Normalize(params string[] managers) =>
        DiffNormalizer.Normalize(Live, [new IgnoreDifference("apps", "Deployment", null, null, [], [], managers)]);

    private static JsonObject Expected(Action<JsonObject> change)
    {
        var expected = Live.DeepClone().AsObject();
        change(expected);
        return expected;
    }

    private static JsonObject PodSpec(JsonObject d) => d["spec"]!["template"]!["spec"]!.AsObject();

    private static void AssertJson(JsonObject expected, JsonObject actual) => Assert.Equal(expected.ToJsonString(), actual.ToJsonString());

    [Fact]
    public void Removes_a_field_the_manager_owns()
    {
        AssertJson(Expected(d => d["spec"]!.AsObject().Remove("replicas")), Normalize("kube-controller-manager"));
    }

    [Fact]
    public void Removes_list_items_and_nested_fields_but_keeps_what_others_own()
    {
        AssertJson(Expected(d =>
        {
            d["metadata"]!["labels"]!.AsObject().Remove("injected");
            var containers = PodSpec(d)["containers"]!.AsArray();
            // The env list was the injector's alone, so it goes; "web" keeps its name, which argocd also owns.
            containers[0]!.AsObject().Remove("env");
            containers.RemoveAt(1);
            PodSpec(d)["finalizerHints"]!.AsArray().RemoveAt(0);
        }), Normalize("sidecar-injector"));
    }

    [Fact]
    public void Removes_a_keyed_item_once_only_its_key_is_left()
    {
        var result = Normalize("argocd-controller", "sidecar-injector", "kube-controller-manager");
        AssertJson(Expected(d =>
        {
            d["metadata"]!.AsObject().Remove("labels");
            d["spec"]!.AsObject().Remove("replicas");
            var pod = PodSpec(d);
            pod.Remove("tolerations");
            pod["containers"]!.AsArray().Clear();
            pod["finalizerHints"]!.AsArray().RemoveAt(0);
        }), result);
    }

    [Fact]
    public void Unlisted_managers_and_objects_without_managed_fields_are_left_alone()
    {
        AssertJson(Live, Normalize("helm"));
        var desired = Live.DeepClone().AsObject();
        desired["metadata"]!.AsObject().Remove("managedFields");
        AssertJson(desired, DiffNormalizer.Normalize(desired, [new IgnoreDifference("apps", "Deployment", null, null, [], [], ["kube-controller-manager"])]));
    }

    [Fact]
    public void Keyed_items_match_on_numeric_keys()
    {
        var service = Yaml("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              managedFields:
              - manager: cloud-controller
                operation: Update
                fieldsType: FieldsV1
                fieldsV1:
                  f:spec:
                    f:ports:
                      k:{"port":443,"protocol":"TCP"}:
                        .: {}
                        f:nodePort: {}
                        f:port: {}
                        f:protocol: {}
            spec:
              ports:
              - port: 80
                protocol: TCP
                nodePort: 30080
              - port: 443
                protocol: TCP
                nodePort: 30443
            """);

        var result = DiffNormalizer.Normalize(service, [new IgnoreDifference(null, "Service", null, null, [], [], ["cloud-controller"])]);

        Assert.Equal("""[{"port":80,"protocol":"TCP","nodePort":30080}]""", result["spec"]!["ports"]!.ToJsonString());
    }
}
