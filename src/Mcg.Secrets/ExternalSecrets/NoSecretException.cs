namespace Mcg.Secrets.ExternalSecrets;

/// <summary>The remote key does not exist (Vault 404, or a deleted/destroyed version): ESO's <c>NoSecretError</c>.</summary>
public sealed class NoSecretException(string key) : Exception($"Secret does not exist: {key}")
{
    public string Key { get; } = key;
}
