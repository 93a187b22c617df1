namespace Mcg.Secrets.Vault;

/// <summary>What a request asks of a path, as Vault's logical operations name it.</summary>
public enum VaultOperation
{
    Read,
    List,
    Create,
    Update,
    Patch,
    Delete,
}

/// <summary>
/// The ACL compiled from a token's policies, evaluated exactly as Vault's <c>acl.go</c>: an exact rule wins outright;
/// otherwise the longest glob prefix and every matching <c>+</c> pattern compete under the priority rules (later first
/// wildcard, non-glob over glob, fewer <c>+</c>, longer, lexically larger), and only the winner's capabilities apply.
/// The same pattern in several policies unions its capabilities, and <c>deny</c> beats everything.
/// </summary>
public sealed class Acl
{
    private readonly Dictionary<string, Capabilities> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Capabilities> _prefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Capabilities> _segmentWildcard = new(StringComparer.Ordinal);

    public Acl(IEnumerable<AclPolicy> policies)
    {
        foreach (var policy in policies)
        {
            if (policy.Name == AclPolicy.Root)
            {
                IsRoot = true;
                continue;
            }
            foreach (var rule in policy.Rules)
            {
                var pattern = rule.Pattern;
                var segmentWildcards = pattern == "+" || pattern.Contains("/+", StringComparison.Ordinal) || pattern.StartsWith("+/", StringComparison.Ordinal);
                Dictionary<string, Capabilities> table;
                if (segmentWildcards)
                {
                    table = _segmentWildcard;
                }
                else if (pattern.EndsWith('*'))
                {
                    table = _prefix;
                    pattern = pattern[..^1];
                }
                else
                {
                    table = _exact;
                }
                table[pattern] = Merge(table.GetValueOrDefault(pattern), rule.Capabilities);
            }
        }
    }

    public bool IsRoot { get; }

    /// <summary>Whether <paramref name="operation"/> on <paramref name="path"/> is allowed; <paramref name="sudo"/> for root-protected paths.</summary>
    public bool Allows(string path, VaultOperation operation, bool sudo = false)
    {
        if (IsRoot)
        {
            return true;
        }
        var caps = Resolve(path, operation == VaultOperation.List);
        if (caps is null || caps.Value.HasFlag(Capabilities.Deny))
        {
            return false;
        }
        var needed = operation switch
        {
            VaultOperation.Read => Capabilities.Read,
            VaultOperation.List => Capabilities.List,
            VaultOperation.Create => Capabilities.Create,
            VaultOperation.Update => Capabilities.Update,
            VaultOperation.Patch => Capabilities.Patch,
            VaultOperation.Delete => Capabilities.Delete,
            _ => Capabilities.Deny,
        };
        if ((caps.Value & needed) == 0)
        {
            return false;
        }
        return !sudo || caps.Value.HasFlag(Capabilities.Sudo);
    }

    /// <summary>The capabilities a token has on a path, as <c>sys/capabilities-self</c> reports them.</summary>
    public IReadOnlyList<string> CapabilitiesOf(string path)
    {
        if (IsRoot)
        {
            return ["root"];
        }
        var caps = Resolve(path, false);
        if (caps is null || caps == Capabilities.None || caps.Value.HasFlag(Capabilities.Deny))
        {
            return ["deny"];
        }
        return AclPolicy.CapabilityNames(caps.Value).ToList();
    }

    /// <summary>The capabilities of the single highest-priority rule matching <paramref name="path"/>, or null when none matches.</summary>
    internal Capabilities? Resolve(string path, bool list)
    {
        if (_exact.TryGetValue(path, out var exact))
        {
            return exact;
        }
        if (list && path.EndsWith('/') && _exact.TryGetValue(path[..^1], out exact))
        {
            return exact;
        }
        Candidate? best = null;
        string? longest = null;
        foreach (var prefix in _prefix.Keys)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal) && (longest is null || prefix.Length > longest.Length))
            {
                longest = prefix;
            }
        }
        if (longest is not null)
        {
            best = new Candidate(longest.Length, longest, true, 0, _prefix[longest]);
        }
        if (_segmentWildcard.Count > 0)
        {
            var parts = path.Split('/');
            foreach (var (pattern, caps) in _segmentWildcard)
            {
                if (Match(pattern, parts, caps) is { } candidate && (best is null || Less(best, candidate)))
                {
                    best = candidate;
                }
            }
        }
        return best?.Caps;
    }

    private static Candidate? Match(string pattern, string[] parts, Capabilities caps)
    {
        var firstWildcard = pattern.IndexOf('+');
        var isPrefix = pattern.EndsWith('*');
        var wcPath = isPrefix ? pattern[..^1] : pattern;
        var segments = wcPath.Split('/');
        if (parts.Length < segments.Length || !isPrefix && segments.Length != parts.Length)
        {
            return null;
        }
        var wildcards = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] == "+")
            {
                wildcards++;
            }
            else if (segments[i] != parts[i]
                && !(isPrefix && i == segments.Length - 1 && parts[i].StartsWith(segments[i], StringComparison.Ordinal)))
            {
                return null;
            }
        }
        return new Candidate(firstWildcard, wcPath, isPrefix, wildcards, caps);
    }

    /// <summary>Vault's <c>wcPathDescrSlice.Less</c>: true when <paramref name="a"/> has lower priority than <paramref name="b"/>.</summary>
    private static bool Less(Candidate a, Candidate b)
    {
        if (a.FirstWildcard != b.FirstWildcard)
        {
            return a.FirstWildcard < b.FirstWildcard;
        }
        if (a.IsPrefix != b.IsPrefix)
        {
            return a.IsPrefix;
        }
        if (a.Wildcards != b.Wildcards)
        {
            return a.Wildcards > b.Wildcards;
        }
        if (a.Path.Length != b.Path.Length)
        {
            return a.Path.Length < b.Path.Length;
        }
        return string.CompareOrdinal(a.Path, b.Path) < 0;
    }

    private static Capabilities Merge(Capabilities existing, Capabilities added) =>
        existing.HasFlag(Capabilities.Deny) || added.HasFlag(Capabilities.Deny) ? Capabilities.Deny : existing | added;

    private sealed record Candidate(int FirstWildcard, string Path, bool IsPrefix, int Wildcards, Capabilities Caps);
}
