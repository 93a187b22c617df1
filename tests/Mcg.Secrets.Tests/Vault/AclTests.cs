using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Tests.Vault;

public class AclTests
{
    private static Acl Compile(params string[] policies) =>
        new(policies.Select((text, i) => AclPolicy.Parse($"p{i}", text)));

    [Fact]
    public void DenyByDefaultAndExactMatches()
    {
        var acl = Compile("""path "secret/data/app" { capabilities = ["read"] }""");
        Assert.True(acl.Allows("secret/data/app", VaultOperation.Read));
        Assert.False(acl.Allows("secret/data/app", VaultOperation.Update));
        Assert.False(acl.Allows("secret/data/app2", VaultOperation.Read));
        Assert.False(acl.Allows("secret/data/app/x", VaultOperation.Read));
        Assert.False(acl.Allows("sys/mounts", VaultOperation.Read));
    }

    [Fact]
    public void GlobIsAPrefixMatchOnlyAtTheEnd()
    {
        var acl = Compile("""
            path "secret/zip-*" { capabilities = ["read"] }
            path "secret/a*b" { capabilities = ["read"] }
            """);
        Assert.True(acl.Allows("secret/zip-zap/zong", VaultOperation.Read));
        Assert.True(acl.Allows("secret/zip-", VaultOperation.Read));
        Assert.False(acl.Allows("secret/zip", VaultOperation.Read));
        // A '*' elsewhere is a literal character.
        Assert.True(acl.Allows("secret/a*b", VaultOperation.Read));
        Assert.False(acl.Allows("secret/axb", VaultOperation.Read));
    }

    [Fact]
    public void PlusMatchesExactlyOneSegment()
    {
        var acl = Compile("""path "secret/+/teamb" { capabilities = ["read"] }""");
        Assert.True(acl.Allows("secret/foo/teamb", VaultOperation.Read));
        Assert.False(acl.Allows("secret/foo/bar/teamb", VaultOperation.Read));
        Assert.False(acl.Allows("secret/teamb", VaultOperation.Read));
        Assert.False(acl.Allows("secret/foo/teamb/x", VaultOperation.Read));
        var prefixed = Compile("""path "secret/+/team*" { capabilities = ["read"] }""");
        Assert.True(prefixed.Allows("secret/foo/teamb/x", VaultOperation.Read));
        Assert.True(prefixed.Allows("secret/foo/teams", VaultOperation.Read));
        Assert.False(prefixed.Allows("secret/foo/bar", VaultOperation.Read));
    }

    [Fact]
    public void MostSpecificPatternWinsAndOnlyItsCapabilitiesApply()
    {
        var acl = Compile("""
            path "secret/*" { capabilities = ["read", "update"] }
            path "secret/data/*" { capabilities = ["list"] }
            path "secret/data/app/*" { capabilities = ["create"] }
            """);
        // The longest glob wins; capabilities of shorter globs are not merged in.
        Assert.True(acl.Allows("secret/data/app/db", VaultOperation.Create));
        Assert.False(acl.Allows("secret/data/app/db", VaultOperation.Read));
        Assert.True(acl.Allows("secret/data/other", VaultOperation.List));
        Assert.False(acl.Allows("secret/data/other", VaultOperation.Read));
        Assert.True(acl.Allows("secret/metadata/x", VaultOperation.Read));
    }

    [Fact]
    public void PriorityRulesFromTheVaultDocs()
    {
        // 1. The later first wildcard wins: "secret/a/+/c" (first '+' at 9) beats "secret/+/b/c" (at 7).
        var acl = Compile("""
            path "secret/+/b/c" { capabilities = ["read"] }
            path "secret/a/+/c" { capabilities = ["update"] }
            """);
        Assert.True(acl.Allows("secret/a/b/c", VaultOperation.Update));
        Assert.False(acl.Allows("secret/a/b/c", VaultOperation.Read));

        // 2. Ending in '*' loses to not ending in '*' (same first-wildcard position).
        acl = Compile("""
            path "secret/+/x*" { capabilities = ["read"] }
            path "secret/+/xy" { capabilities = ["update"] }
            """);
        Assert.True(acl.Allows("secret/a/xy", VaultOperation.Update));
        Assert.False(acl.Allows("secret/a/xy", VaultOperation.Read));
        Assert.True(acl.Allows("secret/a/xz", VaultOperation.Read));

        // 3. More '+' segments lose.
        acl = Compile("""
            path "secret/+/+/c" { capabilities = ["read"] }
            path "secret/+/b/c" { capabilities = ["update"] }
            """);
        Assert.True(acl.Allows("secret/a/b/c", VaultOperation.Update));
        Assert.False(acl.Allows("secret/a/b/c", VaultOperation.Read));

        // 4. Shorter loses; a glob whose '*' comes after a '+' pattern's first '+' beats it (rule 1).
        acl = Compile("""
            path "secret/+/b*" { capabilities = ["read"] }
            path "secret/+/bc*" { capabilities = ["update"] }
            path "secret/a/bcd*" { capabilities = ["delete"] }
            """);
        Assert.True(acl.Allows("secret/z/bcx", VaultOperation.Update));
        Assert.True(acl.Allows("secret/a/bcde", VaultOperation.Delete));
        Assert.False(acl.Allows("secret/a/bcde", VaultOperation.Update));

        // 5. Lexically larger wins when everything else ties ('a' sorts after '+').
        acl = Compile("""
            path "secret/+/+/b" { capabilities = ["read"] }
            path "secret/+/a/+" { capabilities = ["update"] }
            """);
        Assert.True(acl.Allows("secret/x/a/b", VaultOperation.Update));
        Assert.False(acl.Allows("secret/x/a/b", VaultOperation.Read));
        Assert.True(acl.Allows("secret/x/c/b", VaultOperation.Read));
    }

    [Fact]
    public void ExactRuleBeatsEveryGlobAndDenyBeatsAll()
    {
        var acl = Compile(
            """
            path "secret/data/*" { capabilities = ["read", "create", "update", "sudo"] }
            path "secret/data/locked" { capabilities = ["deny"] }
            """,
            """path "secret/data/locked" { capabilities = ["read"] }""");
        Assert.False(acl.Allows("secret/data/locked", VaultOperation.Read));
        Assert.True(acl.Allows("secret/data/open", VaultOperation.Read));
        Assert.Equal(["deny"], acl.CapabilitiesOf("secret/data/locked"));
    }

    [Fact]
    public void SamePatternInSeveralPoliciesUnionsCapabilities()
    {
        var acl = Compile("""path "secret/data/*" { capabilities = ["read"] }""", """path "secret/data/*" { capabilities = ["list"] }""");
        Assert.Equal(["list", "read"], acl.CapabilitiesOf("secret/data/x"));
    }

    [Fact]
    public void SudoIsNeededOnRootProtectedPathsAndRootAllowsEverything()
    {
        var acl = Compile("""
            path "sys/auth/*" { capabilities = ["create", "update"] }
            path "sys/seal" { capabilities = ["update", "sudo"] }
            """);
        Assert.False(acl.Allows("sys/auth/kubernetes", VaultOperation.Update, sudo: true));
        Assert.True(acl.Allows("sys/auth/kubernetes", VaultOperation.Update, sudo: false));
        Assert.True(acl.Allows("sys/seal", VaultOperation.Update, sudo: true));
        var root = new Acl([new AclPolicy(AclPolicy.Root, "", [])]);
        Assert.True(root.Allows("anything/at/all", VaultOperation.Delete, sudo: true));
        Assert.Equal(["root"], root.CapabilitiesOf("x"));
    }

    [Fact]
    public void ListOnAFolderMatchesTheRuleWithoutTheTrailingSlash()
    {
        var acl = Compile("""path "secret/metadata/app" { capabilities = ["list"] }""");
        Assert.True(acl.Allows("secret/metadata/app/", VaultOperation.List));
        Assert.False(acl.Allows("secret/metadata/app/", VaultOperation.Read));
    }

    [Fact]
    public void ParsesCommentsLegacyPolicyJsonAndRejectsBadCapabilities()
    {
        var policy = AclPolicy.Parse("x", """
            # comment
            // another
            /* block
               comment */
            path "/secret/data/a" {
              policy = "write"
            }
            path "secret/data/b" { capabilities = ["read",] }
            """);
        Assert.Equal(["secret/data/a", "secret/data/b"], policy.Rules.Select(r => r.Pattern));
        Assert.True(policy.Rules[0].Capabilities.HasFlag(Capabilities.Update));
        var json = AclPolicy.Parse("j", """{"path": {"secret/data/*": {"capabilities": ["read", "list"]}}}""");
        Assert.Equal(Capabilities.Read | Capabilities.List, json.Rules.Single().Capabilities);
        var e = Assert.Throws<VaultException>(() => AclPolicy.Parse("bad", """path "a" { capabilities = ["fly"] }"""));
        Assert.Equal(400, e.Status);
        Assert.Contains("invalid capability", e.Errors[0]);
        Assert.Throws<VaultException>(() => AclPolicy.Parse("bad", """path "a/+*" { capabilities = ["read"] }"""));
        Assert.Throws<VaultException>(() => AclPolicy.Parse("bad", """path "a" { capabilities = ["read"] """));
    }

    [Fact]
    public void PasswordPolicyGeneratesWithinItsRules()
    {
        var policy = PasswordPolicy.Parse("""
            length = 20
            rule "charset" {
              charset = "abcdefghijklmnopqrstuvwxyz"
              min-chars = 1
            }
            rule "charset" { charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" min-chars = 1 }
            rule "charset" { charset = "0123456789" min-chars = 1 }
            rule "charset" { charset = "!@#%^&*" min-chars = 1 }
            """);
        for (var i = 0; i < 50; i++)
        {
            var p = policy.Generate();
            Assert.Equal(20, p.Length);
            Assert.Contains(p, char.IsAsciiLetterLower);
            Assert.Contains(p, char.IsAsciiLetterUpper);
            Assert.Contains(p, char.IsAsciiDigit);
            Assert.Contains(p, "!@#%^&*".Contains);
        }
        Assert.Throws<VaultException>(() => PasswordPolicy.Parse("length = 2\nrule \"charset\" { charset = \"ab\" }"));
        Assert.Throws<VaultException>(() => PasswordPolicy.Parse("length = 4\nrule \"charset\" { charset = \"ab\" min-chars = 5 }"));
    }
}
