using Mcg.Kube.Patching;

namespace Mcg.Kube.Tests.Patching;

public class JsonMergePatchTests
{
    // RFC 7386, Appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Rfc7386AppendixA(string target, string patch, string expected) =>
        JsonAssert.Equal(expected, JsonMergePatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch)));

    [Fact]
    public void Rfc7386Section3Example()
    {
        var target = """
            {"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],"content":"This will be unchanged"}
            """;
        var patch = """
            {"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]}
            """;
        JsonAssert.Equal(
            """{"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged","phoneNumber":"+01-123-456-7890"}""",
            JsonMergePatch.Apply(JsonAssert.Parse(target), JsonAssert.Parse(patch)));
    }

    [Fact]
    public void NullTargetIsTreatedAsEmptyObject() =>
        JsonAssert.Equal("""{"a":{"b":1}}""", JsonMergePatch.Apply(null, JsonAssert.Parse("""{"a":{"b":1,"c":null}}""")));

    [Fact]
    public void InputsAreNotModified()
    {
        var target = JsonAssert.Parse("""{"a":{"b":"c","d":[1]},"x":1}""");
        var patch = JsonAssert.Parse("""{"a":{"b":null,"e":{"f":1}},"x":null,"y":[2]}""");
        var targetBefore = target!.ToJsonString();
        var patchBefore = patch!.ToJsonString();

        var result = JsonMergePatch.Apply(target, patch);
        result!["a"]!["e"]!["f"] = 99;
        result["y"]!.AsArray().Add(3);

        Assert.Equal(targetBefore, target.ToJsonString());
        Assert.Equal(patchBefore, patch.ToJsonString());
    }
}
