using Mcg.Secrets.ValuesSecret;

namespace Mcg.Secrets.Tests.Support;

/// <summary>An in-memory <see cref="ISecretWriter"/> that records every call.</summary>
public sealed class MemorySecretWriter : ISecretWriter
{
    private int generated;

    public Dictionary<string, Dictionary<string, string>> Store { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Policies { get; } = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public Func<string, string>? Generator { get; set; }

    public Dictionary<string, string>? this[string mountAndPath] => Store.GetValueOrDefault(mountAndPath);

    public Task<IReadOnlyDictionary<string, string>?> ReadFieldsAsync(string mount, string path, CancellationToken cancellationToken = default)
    {
        Calls.Add($"read {mount}/{path}");
        return Task.FromResult<IReadOnlyDictionary<string, string>?>(Store.TryGetValue($"{mount}/{path}", out var f) ? new Dictionary<string, string>(f) : null);
    }

    public Task WriteAsync(string mount, string path, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        Calls.Add($"write {mount}/{path}");
        Store[$"{mount}/{path}"] = new Dictionary<string, string>(fields);
        return Task.CompletedTask;
    }

    public Task EnsurePasswordPolicyAsync(string name, string hcl, CancellationToken cancellationToken = default)
    {
        Calls.Add($"policy {name}");
        Policies[name] = hcl;
        return Task.CompletedTask;
    }

    public Task<string> GenerateAsync(string policy, CancellationToken cancellationToken = default)
    {
        Calls.Add($"generate {policy}");
        if (!Policies.ContainsKey(policy))
        {
            throw new InvalidOperationException($"policy {policy} does not exist");
        }
        return Task.FromResult(Generator?.Invoke(policy) ?? $"gen-{policy}-{++generated}");
    }
}
