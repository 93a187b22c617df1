using Mcg.Secrets.ValuesSecret;

namespace Mcg.Secrets.Tests.ValuesSecret;

public class HelperTests
{
    [Theory]
    [InlineData(@"plain", "plain")]
    [InlineData(@"a\nb\tc\\d", "a\nb\tc\\d")]
    [InlineData(@"\x41\101\u00e9\U0001F600", "AAé😀")]
    [InlineData(@"keep \d and \q", @"keep \d and \q")]
    [InlineData("line\\\ncontinued", "linecontinued")]
    [InlineData(@"quotes \' \""", "quotes ' \"")]
    [InlineData("ünïcode ✓", "ünïcode ✓")]
    public void UnicodeEscapeMatchesPython(string input, string expected) => Assert.Equal(expected, PythonEscapes.UnicodeEscape(input));

    [Theory]
    [InlineData(@"trailing\")]
    [InlineData(@"\x4")]
    [InlineData(@"\u12")]
    [InlineData(@"\N{DASH}")]
    public void UnicodeEscapeRejectsWhatPythonRejects(string input) => Assert.Throws<FormatException>(() => PythonEscapes.UnicodeEscape(input));

    [Fact]
    public void IniParsesLikeConfigParser()
    {
        var ini = IniFile.Parse("""
            ; comment
            [DEFAULT]
            shared = yes

            [default]
            Key = value with = sign
            multi = first
              second

              third
            colon: c
            empty =

            [other]
            ref = %(key)s!
            """);
        Assert.Equal("value with = sign", ini.Get("default", "key"));
        Assert.Equal("value with = sign", ini.Get("default", "KEY"));
        Assert.Equal("first\nsecond\n\nthird", ini.Get("default", "multi"));
        Assert.Equal("c", ini.Get("default", "colon"));
        Assert.Equal("", ini.Get("default", "empty"));
        Assert.Equal("yes", ini.Get("other", "shared"));
        Assert.Null(ini.Get("other", "missing"));
        Assert.Null(ini.Get("Default", "key"));
        Assert.Throws<FormatException>(() => ini.Get("other", "ref"));
    }

    [Fact]
    public void IniRejectsBrokenFiles()
    {
        Assert.Throws<FormatException>(() => IniFile.Parse("key = value\n"));
        Assert.Throws<FormatException>(() => IniFile.Parse("[a]\nk=1\n[a]\n"));
        Assert.Throws<FormatException>(() => IniFile.Parse("[a]\nk=1\nK=2\n"));
        Assert.Throws<FormatException>(() => IniFile.Parse("[a]\nno delimiter\n"));
        Assert.Throws<FormatException>(() => IniFile.Parse("[a]\nk = 50%\n").Get("a", "k"));
    }
}
