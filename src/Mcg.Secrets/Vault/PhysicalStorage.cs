using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Mcg.Secrets.Vault;

/// <summary>One write in a <see cref="PhysicalStorage.WriteAsync"/> batch: a value to store, or null to delete the key.</summary>
public readonly record struct StorageWrite(string Key, byte[]? Value);

/// <summary>
/// Vault's physical backend: an ordered key/value store in SQLite (WAL). It only ever receives what the barrier hands it
/// (ciphertext, except the seal configuration), so nothing here is secret. Connections are pooled, one per concurrent call.
/// </summary>
public sealed class PhysicalStorage : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly ConcurrentBag<SqliteConnection> _pool = [];

    // One writer at a time in-process: SQLite would otherwise make concurrent writers sleep in its busy handler.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public PhysicalStorage(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
            """;
        cmd.ExecuteNonQuery();
        if (!OperatingSystem.IsWindows())
        {
            // Ciphertext only, but nobody else needs to read it (SQLite gives the -wal/-shm files the same mode).
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        var connection = Rent();
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT value FROM entries WHERE key = $k";
            cmd.Parameters.AddWithValue("$k", key);
            return await cmd.ExecuteScalarAsync(ct) as byte[];
        }
        finally
        {
            Return(connection);
        }
    }

    public Task PutAsync(string key, byte[] value, CancellationToken ct = default) => WriteAsync([new StorageWrite(key, value)], ct);

    public Task DeleteAsync(string key, CancellationToken ct = default) => WriteAsync([new StorageWrite(key, null)], ct);

    /// <summary>Applies every write in one transaction.</summary>
    public async Task WriteAsync(IReadOnlyList<StorageWrite> writes, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        var connection = Rent();
        try
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            foreach (var w in writes)
            {
                await using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                if (w.Value is null)
                {
                    cmd.CommandText = "DELETE FROM entries WHERE key = $k";
                }
                else
                {
                    cmd.CommandText = "INSERT INTO entries (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = $v";
                    cmd.Parameters.AddWithValue("$v", w.Value);
                }
                cmd.Parameters.AddWithValue("$k", w.Key);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            Return(connection);
            _writeLock.Release();
        }
    }

    /// <summary>Every key starting with <paramref name="prefix"/>, in order (full keys).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix, CancellationToken ct = default)
    {
        var connection = Rent();
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT key FROM entries WHERE key >= $p AND key < $end ORDER BY key";
            cmd.Parameters.AddWithValue("$p", prefix);
            cmd.Parameters.AddWithValue("$end", prefix + "\uffff");
            var keys = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                keys.Add(reader.GetString(0));
            }
            return keys;
        }
        finally
        {
            Return(connection);
        }
    }

    /// <summary>Vault's List: the direct children of <paramref name="prefix"/>, folders with a trailing <c>/</c>.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default)
    {
        var children = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in await KeysAsync(prefix, ct))
        {
            var rest = key[prefix.Length..];
            var slash = rest.IndexOf('/');
            children.Add(slash < 0 ? rest : rest[..(slash + 1)]);
        }
        return [.. children];
    }

    public ValueTask DisposeAsync()
    {
        while (_pool.TryTake(out var connection))
        {
            connection.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private SqliteConnection Rent() => _pool.TryTake(out var connection) ? connection : Open();

    private void Return(SqliteConnection connection)
    {
        if (_pool.Count < 16)
        {
            _pool.Add(connection);
        }
        else
        {
            connection.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        cmd.ExecuteNonQuery();
        return connection;
    }
}
