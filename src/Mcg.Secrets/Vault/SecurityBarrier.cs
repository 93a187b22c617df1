using System.Security.Cryptography;
using System.Text.Json;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The security barrier: every value that passes through it is encrypted with the keyring before it reaches
/// <see cref="PhysicalStorage"/>. The keyring is stored encrypted under the root key, which exists only in memory
/// while unsealed; sealing disposes the keyring, after which every access answers 503 <c>Vault is sealed</c>.
/// </summary>
public sealed class SecurityBarrier(PhysicalStorage storage)
{
    public const string KeyringPath = "core/keyring";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    private volatile Keyring? _keyring;
    private byte[]? _rootKey;

    public bool IsSealed => _keyring is null;

    public PhysicalStorage Storage => storage;

    public async Task<bool> IsInitializedAsync(CancellationToken ct = default) => await storage.GetAsync(KeyringPath, ct) is not null;

    /// <summary>Creates the first keyring and stores it under <paramref name="rootKey"/>; the barrier stays sealed.</summary>
    public async Task InitializeAsync(byte[] rootKey, CancellationToken ct = default)
    {
        using var keyring = Keyring.CreateNew();
        await storage.PutAsync(KeyringPath, keyring.Export(rootKey, KeyringPath), ct);
    }

    /// <summary>Opens the barrier; throws <see cref="CryptographicException"/> if <paramref name="rootKey"/> is not the root key.</summary>
    public async Task UnsealAsync(byte[] rootKey, CancellationToken ct = default)
    {
        var blob = await storage.GetAsync(KeyringPath, ct) ?? throw new InvalidOperationException("barrier is not initialized");
        var keyring = Keyring.Import(rootKey, KeyringPath, blob);
        _rootKey = (byte[])rootKey.Clone();
        _keyring = keyring;
    }

    public void Seal()
    {
        var keyring = _keyring;
        _keyring = null;
        keyring?.Dispose();
        if (_rootKey is not null)
        {
            CryptographicOperations.ZeroMemory(_rootKey);
            _rootKey = null;
        }
    }

    /// <summary>Adds a keyring term; new writes use it, old values stay readable.</summary>
    public async Task<uint> RotateAsync(CancellationToken ct = default)
    {
        var keyring = Current();
        var term = keyring.Rotate();
        await storage.PutAsync(KeyringPath, keyring.Export(_rootKey ?? throw VaultException.Sealed(), KeyringPath), ct);
        return term;
    }

    public uint ActiveTerm => Current().ActiveTerm;

    public async Task<byte[]?> GetAsync(string path, CancellationToken ct = default)
    {
        var keyring = Current();
        var blob = await storage.GetAsync(path, ct);
        return blob is null ? null : keyring.Decrypt(path, blob);
    }

    public Task PutAsync(string path, ReadOnlySpan<byte> value, CancellationToken ct = default) =>
        storage.PutAsync(path, Current().Encrypt(path, value), ct);

    public Task DeleteAsync(string path, CancellationToken ct = default)
    {
        Current();
        return storage.DeleteAsync(path, ct);
    }

    /// <summary>Writes (or, for null values, deletes) several entries atomically.</summary>
    public Task WriteAsync(IEnumerable<(string Path, byte[]? Value)> writes, CancellationToken ct = default)
    {
        var keyring = Current();
        return storage.WriteAsync(writes.Select(w => new StorageWrite(w.Path, w.Value is null ? null : keyring.Encrypt(w.Path, w.Value))).ToList(), ct);
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default)
    {
        Current();
        return storage.ListAsync(prefix, ct);
    }

    public Task<IReadOnlyList<string>> KeysAsync(string prefix, CancellationToken ct = default)
    {
        Current();
        return storage.KeysAsync(prefix, ct);
    }

    public async Task<T?> GetJsonAsync<T>(string path, CancellationToken ct = default) where T : class
    {
        var bytes = await GetAsync(path, ct);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public Task PutJsonAsync<T>(string path, T value, CancellationToken ct = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        try
        {
            return PutAsync(path, bytes, ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public static byte[] ToJson<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private Keyring Current() => _keyring ?? throw VaultException.Sealed();
}
