using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The barrier's data-encryption keys, one per term; the newest term encrypts, every term decrypts. Values are sealed with
/// AES-256-GCM and bound to their storage path as associated data, laid out as
/// <c>version(1) || term(4, big-endian) || nonce(12) || ciphertext || tag(16)</c>. The keyring itself is stored encrypted
/// under the root key. <see cref="Dispose"/> wipes the keys (sealing).
/// </summary>
public sealed class Keyring : IDisposable
{
    private const byte Version = 1;
    private const int HeaderSize = 1 + 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;

    private readonly Dictionary<uint, byte[]> _keys;
    private readonly ReaderWriterLockSlim _lock = new();
    private bool _disposed;

    private Keyring(Dictionary<uint, byte[]> keys, uint activeTerm)
    {
        _keys = keys;
        ActiveTerm = activeTerm;
    }

    public uint ActiveTerm { get; private set; }

    public static Keyring CreateNew() => new(new Dictionary<uint, byte[]> { [1] = RandomNumberGenerator.GetBytes(KeySize) }, 1);

    /// <summary>Adds a new term and makes it the active one (<c>sys/rotate</c>).</summary>
    public uint Rotate()
    {
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            var term = ActiveTerm + 1;
            _keys[term] = RandomNumberGenerator.GetBytes(KeySize);
            ActiveTerm = term;
            return term;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public byte[] Encrypt(string path, ReadOnlySpan<byte> plaintext)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            return Seal(_keys[ActiveTerm], ActiveTerm, path, plaintext);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public byte[] Decrypt(string path, ReadOnlySpan<byte> blob)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            if (blob.Length < HeaderSize + NonceSize + TagSize || blob[0] != Version)
            {
                throw new CryptographicException("invalid ciphertext");
            }
            var term = BinaryPrimitives.ReadUInt32BigEndian(blob[1..]);
            if (!_keys.TryGetValue(term, out var key))
            {
                throw new CryptographicException($"no decryption key available for term {term}");
            }
            return Open(key, path, blob);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The keyring encrypted under <paramref name="rootKey"/> for storage at <paramref name="path"/>.</summary>
    public byte[] Export(ReadOnlySpan<byte> rootKey, string path)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            var stored = new StoredKeyring(ActiveTerm, _keys.Select(k => new StoredKey(k.Key, Convert.ToBase64String(k.Value))).ToList());
            var json = JsonSerializer.SerializeToUtf8Bytes(stored);
            try
            {
                return Seal(rootKey, 0, path, json);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(json);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Decrypts a stored keyring; a wrong root key fails the GCM tag check with <see cref="CryptographicException"/>.</summary>
    public static Keyring Import(ReadOnlySpan<byte> rootKey, string path, ReadOnlySpan<byte> blob)
    {
        var json = Open(rootKey, path, blob);
        try
        {
            var stored = JsonSerializer.Deserialize<StoredKeyring>(json) ?? throw new CryptographicException("empty keyring");
            return new Keyring(stored.Keys.ToDictionary(k => k.Term, k => Convert.FromBase64String(k.Key)), stored.ActiveTerm);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var key in _keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }
            _keys.Clear();
            _disposed = true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private static byte[] Seal(ReadOnlySpan<byte> key, uint term, string path, ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[HeaderSize + NonceSize + plaintext.Length + TagSize];
        blob[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(1), term);
        var nonce = blob.AsSpan(HeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(HeaderSize + NonceSize, plaintext.Length), blob.AsSpan(blob.Length - TagSize), Encoding.UTF8.GetBytes(path));
        return blob;
    }

    private static byte[] Open(ReadOnlySpan<byte> key, string path, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize + NonceSize + TagSize)
        {
            throw new CryptographicException("invalid ciphertext");
        }
        var plaintext = new byte[blob.Length - HeaderSize - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(blob.Slice(HeaderSize, NonceSize), blob.Slice(HeaderSize + NonceSize, plaintext.Length), blob[^TagSize..], plaintext, Encoding.UTF8.GetBytes(path));
        return plaintext;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw VaultException.Sealed();
        }
    }

    private sealed record StoredKeyring(uint ActiveTerm, List<StoredKey> Keys);

    private sealed record StoredKey(uint Term, string Key);
}
