using System.Security.Cryptography;

namespace Mcg.Secrets.Vault;

/// <summary>One <c>rule "charset" { charset = "…" min-chars = N }</c>.</summary>
public sealed record CharsetRule(string Charset, int MinChars);

/// <summary>
/// A Vault password policy (<c>sys/policies/password/&lt;name&gt;</c>): a length and charset rules. Generation draws
/// every character uniformly from the union of the rule charsets with a CSPRNG and retries until each rule's
/// <c>min-chars</c> holds, as Vault's random string generator does.
/// </summary>
public sealed record PasswordPolicy(int Length, IReadOnlyList<CharsetRule> Rules)
{
    private const int MaxAttempts = 100_000;

    public static PasswordPolicy Parse(string text)
    {
        HclObject root;
        try
        {
            root = HclParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw VaultException.BadRequest($"invalid password policy: {e.Message}");
        }
        var length = root.Get("length") switch
        {
            long l => (int)l,
            string s when int.TryParse(s, out var l) => l,
            null => throw VaultException.BadRequest("invalid password policy: length must be specified"),
            _ => throw VaultException.BadRequest("invalid password policy: length must be a number"),
        };
        if (length < 4 || length > 100)
        {
            throw VaultException.BadRequest("invalid password policy: length must be >= 4 and <= 100");
        }
        var rules = new List<CharsetRule>();
        foreach (var rule in root.All("rule").OfType<HclObject>())
        {
            foreach (var (type, body) in rule.Items)
            {
                if (type != "charset" || body is not HclObject b)
                {
                    throw VaultException.BadRequest($"invalid password policy: unrecognized rule type \"{type}\"");
                }
                var charset = b.Get("charset") as string;
                if (string.IsNullOrEmpty(charset))
                {
                    throw VaultException.BadRequest("invalid password policy: charset must be specified");
                }
                var min = b.Get("min-chars") switch { long l => (int)l, _ => 0 };
                rules.Add(new CharsetRule(charset, min));
            }
        }
        if (rules.Count == 0)
        {
            throw VaultException.BadRequest("invalid password policy: no charset rules provided");
        }
        if (rules.Sum(r => r.MinChars) > length)
        {
            throw VaultException.BadRequest("invalid password policy: the minimum characters required exceed the length");
        }
        return new PasswordPolicy(length, rules);
    }

    public string Generate()
    {
        var charset = Rules.SelectMany(r => r.Charset).Distinct().ToArray();
        var buffer = new char[Length];
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            for (var i = 0; i < Length; i++)
            {
                buffer[i] = charset[RandomNumberGenerator.GetInt32(charset.Length)];
            }
            if (Rules.All(r => buffer.Count(r.Charset.Contains) >= r.MinChars))
            {
                return new string(buffer);
            }
        }
        throw VaultException.Internal("unable to generate password: too many attempts");
    }
}
