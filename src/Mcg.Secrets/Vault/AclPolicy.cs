namespace Mcg.Secrets.Vault;

[Flags]
public enum Capabilities
{
    None = 0,
    Deny = 1,
    Create = 2,
    Read = 4,
    Update = 8,
    Delete = 16,
    List = 32,
    Sudo = 64,
    Patch = 128,
}

/// <summary>One <c>path "pattern" { capabilities = [...] }</c> stanza.</summary>
public sealed record PathRule(string Pattern, Capabilities Capabilities);

/// <summary>A parsed ACL policy. <see cref="Parse"/> accepts HCL or its JSON form, as <c>sys/policies/acl</c> does.</summary>
public sealed record AclPolicy(string Name, string Text, IReadOnlyList<PathRule> Rules)
{
    public const string Root = "root";
    public const string Default = "default";

    private static readonly Dictionary<string, Capabilities> Names = new(StringComparer.Ordinal)
    {
        ["deny"] = Capabilities.Deny,
        ["create"] = Capabilities.Create,
        ["read"] = Capabilities.Read,
        ["update"] = Capabilities.Update,
        ["delete"] = Capabilities.Delete,
        ["list"] = Capabilities.List,
        ["sudo"] = Capabilities.Sudo,
        ["patch"] = Capabilities.Patch,
    };

    /// <summary>Vault's built-in <c>default</c> policy (the paths every token needs for itself).</summary>
    public const string DefaultPolicyText = """
        # Allow tokens to look up their own properties
        path "auth/token/lookup-self" {
            capabilities = ["read"]
        }

        # Allow tokens to renew themselves
        path "auth/token/renew-self" {
            capabilities = ["update"]
        }

        # Allow tokens to revoke themselves
        path "auth/token/revoke-self" {
            capabilities = ["update"]
        }

        # Allow a token to look up its own capabilities on a path
        path "sys/capabilities-self" {
            capabilities = ["update"]
        }

        # Allow a token to look up its resultant ACL from all policies
        path "sys/internal/ui/resultant-acl" {
            capabilities = ["read"]
        }

        # Allow a token to renew a lease via lease_id in the request body
        path "sys/renew" {
            capabilities = ["update"]
        }
        path "sys/leases/renew" {
            capabilities = ["update"]
        }

        # Allow looking up lease properties
        path "sys/leases/lookup" {
            capabilities = ["update"]
        }

        # Allow general purpose tools
        path "sys/tools/hash" {
            capabilities = ["update"]
        }
        path "sys/tools/hash/*" {
            capabilities = ["update"]
        }
        """;

    public static AclPolicy Parse(string name, string text)
    {
        HclObject root;
        try
        {
            root = HclParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw VaultException.BadRequest($"failed to parse policy: {e.Message}");
        }
        var rules = new List<PathRule>();
        foreach (var item in root.Items)
        {
            if (item.Key != "path")
            {
                if (item.Key == "name")
                {
                    continue;
                }
                throw VaultException.BadRequest($"failed to parse policy: invalid key \"{item.Key}\" on line 1");
            }
            if (item.Value is not HclObject paths)
            {
                throw VaultException.BadRequest("failed to parse policy: path stanza must be an object");
            }
            foreach (var (pattern, value) in paths.Items)
            {
                rules.Add(ParseRule(pattern, value as HclObject ?? throw VaultException.BadRequest($"failed to parse policy: path \"{pattern}\" must be an object")));
            }
        }
        return new AclPolicy(name, text, rules);
    }

    private static PathRule ParseRule(string pattern, HclObject body)
    {
        var path = pattern.TrimStart('/');
        if (path.Contains("+*", StringComparison.Ordinal))
        {
            throw VaultException.BadRequest($"failed to parse policy: path \"{path}\": invalid use of wildcards ('+*' is forbidden)");
        }
        var caps = Capabilities.None;
        if (body.Get("policy") is string legacy)
        {
            caps |= legacy switch
            {
                "deny" => Capabilities.Deny,
                "read" => Capabilities.Read | Capabilities.List,
                "write" => Capabilities.Create | Capabilities.Read | Capabilities.Update | Capabilities.Delete | Capabilities.List | Capabilities.Patch,
                "sudo" => Capabilities.Create | Capabilities.Read | Capabilities.Update | Capabilities.Delete | Capabilities.List | Capabilities.Patch | Capabilities.Sudo,
                _ => throw VaultException.BadRequest($"failed to parse policy: path \"{path}\": invalid policy \"{legacy}\""),
            };
        }
        foreach (var value in body.All("capabilities"))
        {
            var list = value as List<object> ?? throw VaultException.BadRequest($"failed to parse policy: path \"{path}\": capabilities must be a list");
            foreach (var c in list)
            {
                if (c is not string s || !Names.TryGetValue(s, out var cap))
                {
                    throw VaultException.BadRequest($"failed to parse policy: path \"{path}\": invalid capability \"{c}\"");
                }
                caps |= cap;
            }
        }
        if (caps.HasFlag(Capabilities.Deny))
        {
            caps = Capabilities.Deny;
        }
        return new PathRule(path, caps);
    }

    public static IEnumerable<string> CapabilityNames(Capabilities caps) =>
        Names.Where(n => caps.HasFlag(n.Value)).Select(n => n.Key).Order(StringComparer.Ordinal);
}
