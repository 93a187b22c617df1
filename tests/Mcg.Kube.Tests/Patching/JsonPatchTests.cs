using Mcg.Kube.Patching;

namespace Mcg.Kube.Tests.Patching;

public class JsonPatchTests
{
    private static void AssertApplies(string target, string patch, string expected) =>
        JsonAssert.Equal(expected, JsonPatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch)!));

    private static PatchException AssertFails(string target, string patch) =>
        Assert.Throws<PatchException>(() => JsonPatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch)!));

    // RFC 6902, Appendix A.
    [Theory]
    [InlineData( // A.1 adding an object member
        """{"foo":"bar"}""",
        """[{"op":"add","path":"/baz","value":"qux"}]""",
        """{"baz":"qux","foo":"bar"}""")]
    [InlineData( // A.2 adding an array element
        """{"foo":["bar","baz"]}""",
        """[{"op":"add","path":"/foo/1","value":"qux"}]""",
        """{"foo":["bar","qux","baz"]}""")]
    [InlineData( // A.3 removing an object member
        """{"baz":"qux","foo":"bar"}""",
        """[{"op":"remove","path":"/baz"}]""",
        """{"foo":"bar"}""")]
    [InlineData( // A.4 removing an array element
        """{"foo":["bar","qux","baz"]}""",
        """[{"op":"remove","path":"/foo/1"}]""",
        """{"foo":["bar","baz"]}""")]
    [InlineData( // A.5 replacing a value
        """{"baz":"qux","foo":"bar"}""",
        """[{"op":"replace","path":"/baz","value":"boo"}]""",
        """{"baz":"boo","foo":"bar"}""")]
    [InlineData( // A.6 moving a value
        """{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""",
        """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""",
        """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}""")]
    [InlineData( // A.7 moving an array element
        """{"foo":["all","grass","cows","eat"]}""",
        """[{"op":"move","from":"/foo/1","path":"/foo/3"}]""",
        """{"foo":["all","cows","eat","grass"]}""")]
    [InlineData( // A.8 testing a value: success
        """{"baz":"qux","foo":["a",2,"c"]}""",
        """[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]""",
        """{"baz":"qux","foo":["a",2,"c"]}""")]
    [InlineData( // A.10 adding a nested member object
        """{"foo":"bar"}""",
        """[{"op":"add","path":"/child","value":{"grandchild":{}}}]""",
        """{"foo":"bar","child":{"grandchild":{}}}""")]
    [InlineData( // A.11 ignoring unrecognized elements
        """{"foo":"bar"}""",
        """[{"op":"add","path":"/baz","value":"qux","xyz":123}]""",
        """{"foo":"bar","baz":"qux"}""")]
    [InlineData( // A.14 ~ escape ordering
        """{"/":9,"~1":10}""",
        """[{"op":"test","path":"/~01","value":10}]""",
        """{"/":9,"~1":10}""")]
    [InlineData( // A.16 adding an array value
        """{"foo":["bar"]}""",
        """[{"op":"add","path":"/foo/-","value":["abc","def"]}]""",
        """{"foo":["bar",["abc","def"]]}""")]
    public void Rfc6902AppendixA(string target, string patch, string expected) => AssertApplies(target, patch, expected);

    [Fact]
    public void A9_TestingAValueError()
    {
        var e = AssertFails("""{"baz":"qux"}""", """[{"op":"test","path":"/baz","value":"bar"}]""");
        Assert.Equal("jsonpatch test operation does not apply: testing value \"/baz\" failed: test failed", e.Message);
        Assert.False(e.IsInvalidRequest);
    }

    [Fact]
    public void A12_AddingToANonexistentTarget()
    {
        var e = AssertFails("""{"foo":"bar"}""", """[{"op":"add","path":"/baz/bat","value":"qux"}]""");
        Assert.Equal("jsonpatch add operation does not apply: doc is missing path: \"/baz/bat\"", e.Message);
        Assert.False(e.IsInvalidRequest);
    }

    [Fact]
    public void A15_ComparingStringsAndNumbers()
    {
        var e = AssertFails("""{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":"10"}]""");
        Assert.False(e.IsInvalidRequest);
    }

    [Theory]
    [InlineData("""[{"op":"test","path":"/data/x","value":"1"}]""", "jsonpatch test operation does not apply: doc is missing path: \"/data/x\"")]
    [InlineData("""[{"op":"remove","path":"/a"}]""", "jsonpatch remove operation does not apply: doc is missing path: \"/a\"")]
    [InlineData("""[{"op":"replace","path":"/data/x","value":"1"}]""", "jsonpatch replace operation does not apply: doc is missing path: \"/data/x\"")]
    [InlineData("""[{"op":"move","from":"/data/x","path":"/y"}]""", "jsonpatch move operation does not apply: doc is missing from path: \"/data/x\"")]
    [InlineData("""[{"op":"copy","from":"/nope","path":"/y"}]""", "jsonpatch copy operation does not apply: doc is missing from path: \"/nope\"")]
    [InlineData("""[{"op":"add","path":"/list/3","value":1}]""", "jsonpatch add operation does not apply: index out of bounds: \"/list/3\"")]
    [InlineData("""[{"op":"add","path":"/list/01","value":1}]""", "jsonpatch add operation does not apply: index out of bounds: \"/list/01\"")]
    [InlineData("""[{"op":"remove","path":"/list/2"}]""", "jsonpatch remove operation does not apply: doc is missing path: \"/list/2\"")]
    [InlineData("""[{"op":"remove","path":"/list/-"}]""", "jsonpatch remove operation does not apply: doc is missing path: \"/list/-\"")]
    [InlineData("""[{"op":"add","path":"/data/y/z","value":1}]""", "jsonpatch add operation does not apply: doc is missing path: \"/data/y/z\"")]
    [InlineData("""[{"op":"move","from":"/data","path":"/data/inner"}]""", "jsonpatch move operation does not apply: cannot move \"/data\" into its own child \"/data/inner\"")]
    [InlineData("""[{"op":"remove","path":""}]""", "jsonpatch remove operation does not apply: cannot remove the whole document")]
    public void UnappliableOperationsAreUnprocessable(string patch, string message)
    {
        var e = AssertFails("""{"data":{"a":"1"},"list":[1,2]}""", patch);
        Assert.Equal(message, e.Message);
        Assert.False(e.IsInvalidRequest);
    }

    [Theory]
    [InlineData("""{"op":"add","path":"/a","value":1}""", "invalid JSON patch: expected a JSON array of operations")]
    [InlineData("""[1]""", "invalid JSON patch: operation 0 is not a JSON object")]
    [InlineData("""[{"path":"/a"}]""", "invalid JSON patch: operation 0 has no \"op\"")]
    [InlineData("""[{"op":"test","path":"/data","value":{"a":"1"}},{"op":"frobnicate","path":"/a"}]""", "invalid JSON patch: operation 1 has unsupported op \"frobnicate\"")]
    [InlineData("""[{"op":"add","path":"/a","value":1},{"op":"add","path":"/b","value":1},{"op":"remove"}]""", "invalid JSON patch: operation 2 has no \"path\"")]
    [InlineData("""[{"op":"remove","path":5}]""", "invalid JSON patch: operation 0 has a non-string \"path\"")]
    [InlineData("""[{"op":"remove","path":"a"}]""", "invalid JSON patch: operation 0 has an invalid \"path\" pointer \"a\"")]
    [InlineData("""[{"op":"add","path":"/a"}]""", "invalid JSON patch: operation 0 has no \"value\"")]
    [InlineData("""[{"op":"replace","path":"/a"}]""", "invalid JSON patch: operation 0 has no \"value\"")]
    [InlineData("""[{"op":"test","path":"/a"}]""", "invalid JSON patch: operation 0 has no \"value\"")]
    [InlineData("""[{"op":"move","path":"/a"}]""", "invalid JSON patch: operation 0 has no \"from\"")]
    [InlineData("""[{"op":"copy","path":"/a"}]""", "invalid JSON patch: operation 0 has no \"from\"")]
    // Malformed operations are reported even when an earlier operation would fail to apply.
    [InlineData("""[{"op":"remove","path":"/missing"},{"op":"copy","path":"/a"}]""", "invalid JSON patch: operation 1 has no \"from\"")]
    public void MalformedPatchesAreInvalidRequests(string patch, string message)
    {
        var e = AssertFails("""{"data":{"a":"1"}}""", patch);
        Assert.Equal(message, e.Message);
        Assert.True(e.IsInvalidRequest);
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/a~1b","value":1}]""", """{"a/b":1,"m~n":2,"list":[1,2]}""")]
    [InlineData("""[{"op":"replace","path":"/m~0n","value":3}]""", """{"m~n":3,"list":[1,2]}""")]
    [InlineData("""[{"op":"add","path":"/list/-","value":3}]""", """{"m~n":2,"list":[1,2,3]}""")]
    [InlineData("""[{"op":"add","path":"/list/2","value":3}]""", """{"m~n":2,"list":[1,2,3]}""")]
    [InlineData("""[{"op":"add","path":"/list/0","value":0}]""", """{"m~n":2,"list":[0,1,2]}""")]
    [InlineData("""[{"op":"replace","path":"/list/1","value":{"x":null}}]""", """{"m~n":2,"list":[1,{"x":null}]}""")]
    [InlineData("""[{"op":"add","path":"/m~0n","value":null}]""", """{"m~n":null,"list":[1,2]}""")]
    [InlineData("""[{"op":"copy","from":"/list","path":"/copy"},{"op":"add","path":"/copy/-","value":9}]""", """{"m~n":2,"list":[1,2],"copy":[1,2,9]}""")]
    [InlineData("""[{"op":"move","from":"/list/0","path":"/list/-"}]""", """{"m~n":2,"list":[2,1]}""")]
    [InlineData("""[{"op":"move","from":"/list","path":"/list"}]""", """{"m~n":2,"list":[1,2]}""")]
    [InlineData("""[{"op":"test","path":"/list","value":[1,2]},{"op":"test","path":"/list/0","value":1.0}]""", """{"m~n":2,"list":[1,2]}""")]
    [InlineData("""[{"op":"test","path":"","value":{"list":[1,2],"m~n":2}}]""", """{"m~n":2,"list":[1,2]}""")]
    [InlineData("""[{"op":"replace","path":"","value":{"fresh":true}}]""", """{"fresh":true}""")]
    [InlineData("""[{"op":"add","path":"","value":[1]}]""", """[1]""")]
    [InlineData("""[]""", """{"m~n":2,"list":[1,2]}""")]
    public void PointerAndOperationDetails(string patch, string expected) =>
        AssertApplies("""{"m~n":2,"list":[1,2]}""", patch, expected);

    [Fact]
    public void OperationsApplyInSequence() =>
        AssertApplies(
            """{"metadata":{"labels":{"a":"1"}}}""",
            """
            [{"op":"test","path":"/metadata/labels/a","value":"1"},
             {"op":"add","path":"/metadata/annotations","value":{}},
             {"op":"move","from":"/metadata/labels/a","path":"/metadata/annotations/a"},
             {"op":"replace","path":"/metadata/annotations/a","value":"2"}]
            """,
            """{"metadata":{"labels":{},"annotations":{"a":"2"}}}""");

    [Fact]
    public void InputsAreNotModified()
    {
        var target = JsonAssert.Parse("""{"a":{"b":[1,2]},"c":"d"}""");
        var patch = JsonAssert.Parse("""
            [{"op":"add","path":"/a/b/-","value":{"n":1}},{"op":"remove","path":"/c"},{"op":"copy","from":"/a","path":"/e"}]
            """)!;
        var targetBefore = target!.ToJsonString();
        var patchBefore = patch.ToJsonString();

        var result = JsonPatch.Apply(target, patch);
        result!["a"]!["b"]![2]!["n"] = 5;

        JsonAssert.Equal("""{"a":{"b":[1,2,{"n":5}]},"e":{"b":[1,2,{"n":1}]}}""", result);
        Assert.Equal(targetBefore, target.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
    }
}
