using System.Collections.Concurrent;
using System.Text;

namespace Mcg.Secrets.Vault;

/// <summary>ACL policies in the barrier (<c>sys/policy/&lt;name&gt;</c>), with the built-in <c>root</c> and <c>default</c>, and a cache of compiled ACLs.</summary>
public sealed class PolicyStore(SecurityBarrier barrier)
{
    private const string Prefix = "sys/policy/";
    private readonly ConcurrentDictionary<string, AclPolicy> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Acl> _acls = new(StringComparer.Ordinal);

    /// <summary>Stores the built-in default policy on first unseal.</summary>
    public async Task SetupAsync(CancellationToken ct)
    {
        _policies.Clear();
        _acls.Clear();
        if (await barrier.GetAsync(Prefix + AclPolicy.Default, ct) is null)
        {
            await barrier.PutAsync(Prefix + AclPolicy.Default, Encoding.UTF8.GetBytes(AclPolicy.DefaultPolicyText), ct);
        }
    }

    public void ClearCache()
    {
        _policies.Clear();
        _acls.Clear();
    }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public async Task<AclPolicy?> GetAsync(string name, CancellationToken ct)
    {
        name = Normalize(name);
        if (name == AclPolicy.Root)
        {
            return new AclPolicy(AclPolicy.Root, "", []);
        }
        if (_policies.TryGetValue(name, out var cached))
        {
            return cached;
        }
        var bytes = await barrier.GetAsync(Prefix + name, ct);
        if (bytes is null)
        {
            return null;
        }
        var policy = AclPolicy.Parse(name, Encoding.UTF8.GetString(bytes));
        _policies[name] = policy;
        return policy;
    }

    public async Task PutAsync(string name, string text, CancellationToken ct)
    {
        name = Normalize(name);
        if (name == AclPolicy.Root)
        {
            throw VaultException.BadRequest("cannot update \"root\" policy");
        }
        if (name.Length == 0)
        {
            throw VaultException.BadRequest("policy name must be provided in the URL");
        }
        var policy = AclPolicy.Parse(name, text);
        await barrier.PutAsync(Prefix + name, Encoding.UTF8.GetBytes(text), ct);
        _policies[name] = policy;
        _acls.Clear();
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        name = Normalize(name);
        if (name is AclPolicy.Root or AclPolicy.Default)
        {
            throw VaultException.BadRequest($"cannot delete \"{name}\" policy");
        }
        await barrier.DeleteAsync(Prefix + name, ct);
        _policies.TryRemove(name, out _);
        _acls.Clear();
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct)
    {
        var names = (await barrier.ListAsync(Prefix, ct)).Where(n => !n.EndsWith('/')).ToList();
        names.Add(AclPolicy.Root);
        return names.Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The ACL of a set of policy names; unknown names contribute nothing, as in Vault.</summary>
    public async Task<Acl> AclForAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        var key = string.Join(',', names);
        if (_acls.TryGetValue(key, out var acl))
        {
            return acl;
        }
        var policies = new List<AclPolicy>();
        foreach (var name in names)
        {
            if (await GetAsync(name, ct) is { } policy)
            {
                policies.Add(policy);
            }
        }
        acl = new Acl(policies);
        _acls[key] = acl;
        return acl;
    }
}
