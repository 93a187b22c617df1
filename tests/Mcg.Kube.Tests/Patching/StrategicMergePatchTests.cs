using Mcg.Kube.Patching;

namespace Mcg.Kube.Tests.Patching;

public class StrategicMergePatchTests
{
    private static void AssertPatches(string target, string patch, string expected)
    {
        var result = StrategicMergePatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch));
        JsonAssert.Equal(expected, result);
        Assert.DoesNotContain(JsonAssert.AllKeys(result), k => k.StartsWith('$'));
    }

    private static PatchException AssertFails(string target, string patch) =>
        Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch)));

    private const string TwoContainers = """
        {"spec":{"containers":[{"name":"app","image":"nginx:1"},{"name":"side","image":"busybox"}]}}
        """;

    [Fact]
    public void MapsMergeAndNullDeletes() =>
        AssertPatches(
            """{"metadata":{"name":"a","labels":{"x":"1","y":"2"}},"data":{"k":"v"}}""",
            """{"metadata":{"labels":{"x":null,"z":"3"}},"data":null,"extra":{"n":null,"m":1}}""",
            """{"metadata":{"name":"a","labels":{"y":"2","z":"3"}},"extra":{"m":1}}""");

    [Fact]
    public void ContainersMergeByName() =>
        AssertPatches(
            TwoContainers,
            """{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}""",
            """{"spec":{"containers":[{"name":"app","image":"nginx:2"},{"name":"side","image":"busybox"}]}}""");

    [Fact]
    public void NewContainersAreAppended() =>
        AssertPatches(
            TwoContainers,
            """{"spec":{"containers":[{"name":"extra","image":"x","env":[{"name":"E","value":null}]}]}}""",
            """{"spec":{"containers":[{"name":"app","image":"nginx:1"},{"name":"side","image":"busybox"},{"name":"extra","image":"x","env":[{"name":"E"}]}]}}""");

    [Fact]
    public void PatchedElementsFollowThePatchOrderAndServerOnlyElementsKeepTheirPlace() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}""",
            """{"spec":{"containers":[{"name":"b","image":"i"},{"name":"z"}]}}""",
            """{"spec":{"containers":[{"name":"a"},{"name":"b","image":"i"},{"name":"c"},{"name":"z"}]}}""");

    [Fact]
    public void PatchOrderOverridesLiveOrder() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""",
            """{"spec":{"containers":[{"name":"b","image":"1"},{"name":"a","image":"2"}]}}""",
            """{"spec":{"containers":[{"name":"b","image":"1"},{"name":"a","image":"2"}]}}""");

    [Fact]
    public void EnvEntryIsDeletedByDirective() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}""",
            """{"spec":{"containers":[{"name":"app","env":[{"$patch":"delete","name":"A"},{"$patch":"delete","name":"missing"}]}]}}""",
            """{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]}]}}""");

    [Fact]
    public void ContainerPortsMergeByContainerPort() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}]}}""",
            """{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"name":"http"},{"containerPort":8080}]}]}}""",
            """{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":443},{"containerPort":8080}]}]}}""");

    [Fact]
    public void VolumeMountsMergeByMountPath() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"app","volumeMounts":[{"name":"data","mountPath":"/data"},{"name":"cfg","mountPath":"/etc/cfg"}]}]}}""",
            """{"spec":{"containers":[{"name":"app","volumeMounts":[{"mountPath":"/data","readOnly":true},{"$patch":"delete","mountPath":"/etc/cfg"}]}]}}""",
            """{"spec":{"containers":[{"name":"app","volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true}]}]}}""");

    [Fact]
    public void ServicePortsMergeByPort() =>
        AssertPatches(
            """{"kind":"Service","spec":{"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443}]}}""",
            """{"spec":{"ports":[{"port":80,"targetPort":9090}]}}""",
            """{"kind":"Service","spec":{"ports":[{"name":"http","port":80,"targetPort":9090},{"name":"https","port":443}]}}""");

    [Fact]
    public void DeploymentPodTemplateListsMerge() =>
        AssertPatches(
            """
            {"kind":"Deployment","spec":{"replicas":1,"template":{"spec":{
              "containers":[{"name":"app","image":"a:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]}],
              "volumes":[{"name":"v1","emptyDir":{}}]}}}}
            """,
            """
            {"spec":{"replicas":3,"template":{"spec":{
              "containers":[{"name":"app","env":[{"name":"B","value":"2"}],"ports":[{"containerPort":80,"name":"web"}]}],
              "volumes":[{"name":"v2","configMap":{"name":"cm"}}]}}}}
            """,
            """
            {"kind":"Deployment","spec":{"replicas":3,"template":{"spec":{
              "containers":[{"name":"app","image":"a:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80,"name":"web"}]}],
              "volumes":[{"name":"v1","emptyDir":{}},{"name":"v2","configMap":{"name":"cm"}}]}}}}
            """);

    [Fact]
    public void StatusConditionsMergeByType() =>
        AssertPatches(
            """{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Synced","status":"True"}]}}""",
            """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Ok"}]}}""",
            """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Ok"},{"type":"Synced","status":"True"}]}}""");

    [Fact]
    public void FinalizersMergeAsUnion() =>
        AssertPatches(
            """{"metadata":{"finalizers":["a","b"]}}""",
            """{"metadata":{"finalizers":["b","c"]}}""",
            """{"metadata":{"finalizers":["a","b","c"]}}""");

    [Fact]
    public void SetListFollowsPatchOrder() =>
        AssertPatches(
            """{"metadata":{"finalizers":["a","b"]}}""",
            """{"metadata":{"finalizers":["c","a"]}}""",
            """{"metadata":{"finalizers":["b","c","a"]}}""");

    [Fact]
    public void UnkeyedListsAreReplaced() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"app","args":["a","b"]}],"tolerations":[{"key":"k1"},{"key":"k2"}]}}""",
            """{"spec":{"containers":[{"name":"app","args":["c"]}],"tolerations":[{"key":"k3","value":null}]}}""",
            """{"spec":{"containers":[{"name":"app","args":["c"]}],"tolerations":[{"key":"k3"}]}}""");

    [Fact]
    public void ReplaceDirectiveInMapReplacesTheMap() =>
        AssertPatches(
            """{"spec":{"selector":{"a":"1","b":"2"},"replicas":1}}""",
            """{"spec":{"selector":{"$patch":"replace","c":"3"}}}""",
            """{"spec":{"selector":{"c":"3"},"replicas":1}}""");

    [Fact]
    public void DeleteDirectiveInMapDeletesTheMap() =>
        AssertPatches(
            """{"spec":{"selector":{"a":"1"},"replicas":1}}""",
            """{"spec":{"selector":{"$patch":"delete"},"absent":{"$patch":"delete"}}}""",
            """{"spec":{"replicas":1}}""");

    [Fact]
    public void ReplaceDirectiveInListReplacesTheList() =>
        AssertPatches(
            TwoContainers,
            """{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}""",
            """{"spec":{"containers":[{"name":"only","image":"x"}]}}""");

    [Fact]
    public void SetElementOrderReordersKeyedList() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}}""",
            """{"spec":{"containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}}""");

    [Fact]
    public void SetElementOrderPlacesNewElements() =>
        AssertPatches(
            """{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"new"},{"name":"a"}],"containers":[{"name":"new","image":"x"}]}}""",
            """{"spec":{"containers":[{"name":"b"},{"name":"new","image":"x"},{"name":"a"}]}}""");

    [Theory]
    [InlineData("""[{"name":"a"},{"name":"b"},{"name":"c"}]""", """[{"name":"b"},{"name":"a"},{"name":"c"}]""")]
    [InlineData("""[{"name":"c"},{"name":"a"},{"name":"b"}]""", """[{"name":"c"},{"name":"b"},{"name":"a"}]""")]
    public void SetElementOrderKeepsServerOnlyElementsAtTheirLivePosition(string live, string expected) =>
        AssertPatches(
            $$$"""{"spec":{"containers":{{{live}}}}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}""",
            $$$"""{"spec":{"containers":{{{expected}}}}}""");

    [Fact]
    public void SetElementOrderReordersPrimitiveSetList() =>
        AssertPatches(
            """{"metadata":{"finalizers":["a","b","c"]}}""",
            """{"metadata":{"$setElementOrder/finalizers":["b","c","a"]}}""",
            """{"metadata":{"finalizers":["b","c","a"]}}""");

    [Fact]
    public void SetElementOrderForAbsentListCreatesNothing() =>
        AssertPatches(
            """{"spec":{}}""",
            """{"spec":{"$setElementOrder/containers":[{"name":"a"}]}}""",
            """{"spec":{}}""");

    [Fact]
    public void DeleteFromPrimitiveList() =>
        AssertPatches(
            """{"metadata":{"finalizers":["a","b","c"]}}""",
            """{"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}}""",
            """{"metadata":{"finalizers":["a","c"]}}""");

    [Fact]
    public void DeleteFromPrimitiveListWithElementOrder() =>
        AssertPatches(
            """{"metadata":{"finalizers":["a","b","c"]}}""",
            """{"metadata":{"$setElementOrder/finalizers":["c","a"],"$deleteFromPrimitiveList/finalizers":["b"]}}""",
            """{"metadata":{"finalizers":["c","a"]}}""");

    [Fact]
    public void RetainKeysDropsUnlistedFields() =>
        AssertPatches(
            """{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""",
            """{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}""",
            """{"spec":{"strategy":{"type":"Recreate"}}}""");

    [Fact]
    public void RetainKeysKeepsListedLiveFields() =>
        AssertPatches(
            """{"spec":{"volumes":[{"name":"v","emptyDir":{},"secret":{"secretName":"s"}}]}}""",
            """{"spec":{"volumes":[{"name":"v","$retainKeys":["name","secret"],"secret":{"defaultMode":420}}]}}""",
            """{"spec":{"volumes":[{"name":"v","secret":{"secretName":"s","defaultMode":420}}]}}""");

    [Fact]
    public void KubectlApplyPodUpdate()
    {
        var live = """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"p","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"old"}},
             "spec":{"containers":[
               {"name":"app","image":"nginx:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
               {"name":"side","image":"busybox"}]}}
            """;
        var patch = """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},
             "spec":{"$setElementOrder/containers":[{"name":"app"}],
                     "containers":[{"$setElementOrder/env":[{"name":"B"}],"env":[{"$patch":"delete","name":"A"}],"image":"nginx:2","name":"app"},
                                   {"$patch":"delete","name":"side"}]}}
            """;
        AssertPatches(live, patch, """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"p","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new"}},
             "spec":{"containers":[{"name":"app","image":"nginx:2","env":[{"name":"B","value":"2"}]}]}}
            """);
    }

    [Fact]
    public void DirectivesInNewValuesAreApplied() =>
        AssertPatches(
            """{"spec":{}}""",
            """
            {"spec":{"$setElementOrder/containers":[{"name":"n"}],
                     "containers":[{"name":"n","$setElementOrder/env":[{"name":"X"}],"env":[{"name":"X","value":"1"},{"$patch":"delete","name":"Y"}],
                                    "resources":{"$patch":"replace","limits":{"cpu":"1"}},"securityContext":{"$patch":"delete"}},
                                   {"$patch":"delete","name":"gone"}],
                     "template":{"$retainKeys":["a"],"a":{"b":null,"c":1}},
                     "$deleteFromPrimitiveList/finalizers":["x"]}}
            """,
            """
            {"spec":{"containers":[{"name":"n","env":[{"name":"X","value":"1"}],"resources":{"limits":{"cpu":"1"}}}],
                     "template":{"a":{"c":1}}}}
            """);

    [Fact]
    public void NestedReplaceDirectiveIsApplied() =>
        AssertPatches(
            """{"spec":{"template":{"metadata":{"labels":{"a":"1"}},"spec":{"nodeSelector":{"x":"1","y":"2"}}}}}""",
            """{"spec":{"template":{"spec":{"nodeSelector":{"$patch":"replace","z":"3"}}}}}""",
            """{"spec":{"template":{"metadata":{"labels":{"a":"1"}},"spec":{"nodeSelector":{"z":"3"}}}}}""");

    [Fact]
    public void ScalarAndTypeChangesReplace() =>
        AssertPatches(
            """{"a":{"b":1},"c":[1],"d":"s"}""",
            """{"a":"now a string","c":{"x":1},"d":[{"name":"n"}]}""",
            """{"a":"now a string","c":{"x":1},"d":[{"name":"n"}]}""");

    [Fact]
    public void NullTargetAndNullPatch()
    {
        JsonAssert.Equal("""{"a":1}""", StrategicMergePatch.Apply(null, JsonAssert.Parse("""{"a":1,"b":null}""")));
        JsonAssert.Equal("""{"a":1}""", StrategicMergePatch.Apply(JsonAssert.Parse("""{"a":1}"""), null));
    }

    [Theory]
    [InlineData("""{"spec":{"containers":[{"image":"no-name"}]}}""")]
    [InlineData("""{"spec":{"containers":[{"$patch":"delete","image":"no-name"}]}}""")]
    [InlineData("""{"spec":{"containers":[{"$patch":"merge","name":"app"}]}}""")]
    [InlineData("""{"spec":{"$patch":"bogus"}}""")]
    [InlineData("""{"spec":{"$setElementOrder/containers":"app"}}""")]
    [InlineData("""{"spec":{"$setElementOrder/containers":["app"]}}""")]
    [InlineData("""{"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}}""")]
    [InlineData("""{"spec":{"strategy":{"$retainKeys":"type"}}}""")]
    [InlineData("""{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":2}}}}""")]
    [InlineData("""["not","an","object"]""")]
    public void MalformedPatchesAreInvalidRequests(string patch)
    {
        var e = AssertFails(TwoContainers, patch);
        Assert.True(e.IsInvalidRequest);
    }

    [Fact]
    public void InputsAreNotModified()
    {
        var target = JsonAssert.Parse("""
            {"metadata":{"finalizers":["a"]},"spec":{"containers":[{"name":"app","env":[{"name":"A"}]},{"name":"side"}]}}
            """);
        var patch = JsonAssert.Parse("""
            {"metadata":{"finalizers":["b"]},
             "spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"new"}],
                     "containers":[{"name":"app","env":[{"$patch":"delete","name":"A"},{"name":"B"}]},{"name":"new","args":["x"]},{"$patch":"delete","name":"side"}]}}
            """);
        var targetBefore = target!.ToJsonString();
        var patchBefore = patch!.ToJsonString();

        var result = StrategicMergePatch.Apply(target, patch);
        JsonAssert.Equal("""
            {"metadata":{"finalizers":["a","b"]},"spec":{"containers":[{"name":"app","env":[{"name":"B"}]},{"name":"new","args":["x"]}]}}
            """, result);
        result!["spec"]!["containers"]![1]!["args"]!.AsArray().Add("y");
        result["metadata"]!["finalizers"]!.AsArray().Add("c");

        Assert.Equal(targetBefore, target.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
    }
}
