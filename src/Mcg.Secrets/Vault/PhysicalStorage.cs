using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Mcg.Secrets.Vault;

/// <summary>One write in a <see cref="PhysicalStorage.WriteAsync"/> batch: a value to store, or null to delete the key.</summary>
public readonly record struct StorageWrite(string Key, byte[]? Value);

/// <summary>
/// Vault's physical backend: an ordered key/value store in SQLite (WAL). It only ever receives what the barrier hands it
/// (ciphertext, except the seal configuration), so nothing here is secret. Connections, each with its statements
/// prepared once, are pooled: one per concurrent reader, and writes are serialised in-process.
/// </summary>
public sealed class PhysicalStorage : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly ConcurrentBag<Connection> _pool = [];

    // One writer at a time in-process: SQLite would otherwise make concurrent writers sleep in its busy handler.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public PhysicalStorage(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        using (var setup = new SqliteConnection(_connectionString))
        {
            setup.Open();
            using var cmd = setup.CreateCommand();
            cmd.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
                """;
            cmd.ExecuteNonQuery();
        }
        if (!OperatingSystem.IsWindows())
        {
            // Ciphertext only, but nobody else needs to read it (SQLite gives the -wal/-shm files the same mode).
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct = default)
    {
        var c = Rent();
        try
        {
            c.Get.Parameters[0].Value = key;
            return await c.Get.ExecuteScalarAsync(ct) as byte[];
        }
        finally
        {
            Return(c);
        }
    }

    public Task PutAsync(string key, byte[] value, CancellationToken ct = default) => WriteAsync([new StorageWrite(key, value)], ct);

    public Task DeleteAsync(string key, CancellationToken ct = default) => WriteAsync([new StorageWrite(key, null)], ct);

    /// <summary>Applies every write in one transaction.</summary>
    public async Task WriteAsync(IReadOnlyList<StorageWrite> writes, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        var c = Rent();
        try
        {
            await using var tx = (SqliteTransaction)await c.Sqlite.BeginTransactionAsync(ct);
            c.Upsert.Transaction = tx;
            c.Delete.Transaction = tx;
            foreach (var w in writes)
            {
                if (w.Value is null)
                {
                    c.Delete.Parameters[0].Value = w.Key;
                    await c.Delete.ExecuteNonQueryAsync(ct);
                }
                else
                {
                    c.Upsert.Parameters[0].Value = w.Key;
                    c.Upsert.Parameters[1].Value = w.Value;
                    await c.Upsert.ExecuteNonQueryAsync(ct);
                }
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            c.Upsert.Transaction = null;
            c.Delete.Transaction = null;
            Return(c);
            _writeLock.Release();
        }
    }

    /// <summary>Every key starting with <paramref name="prefix"/>, in order (full keys).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix, CancellationToken ct = default)
    {
        var c = Rent();
        try
        {
            c.Keys.Parameters[0].Value = prefix;
            c.Keys.Parameters[1].Value = prefix + "\uffff";
            var keys = new List<string>();
            await using var reader = await c.Keys.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                keys.Add(reader.GetString(0));
            }
            return keys;
        }
        finally
        {
            Return(c);
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
        while (_pool.TryTake(out var c))
        {
            c.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private Connection Rent() => _pool.TryTake(out var c) ? c : new Connection(_connectionString);

    private void Return(Connection c)
    {
        if (_pool.Count < 16)
        {
            _pool.Add(c);
        }
        else
        {
            c.Dispose();
        }
    }

    /// <summary>An open connection with its statements prepared once.</summary>
    private sealed class Connection : IDisposable
    {
        public Connection(string connectionString)
        {
            Sqlite = new SqliteConnection(connectionString);
            Sqlite.Open();
            using (var pragma = Sqlite.CreateCommand())
            {
                pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
                pragma.ExecuteNonQuery();
            }
            Get = Prepare("SELECT value FROM entries WHERE key = $k", "$k");
            Upsert = Prepare("INSERT INTO entries (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "$k", "$v");
            Delete = Prepare("DELETE FROM entries WHERE key = $k", "$k");
            Keys = Prepare("SELECT key FROM entries WHERE key >= $p AND key < $end ORDER BY key", "$p", "$end");
        }

        public SqliteConnection Sqlite { get; }
        public SqliteCommand Get { get; }
        public SqliteCommand Upsert { get; }
        public SqliteCommand Delete { get; }
        public SqliteCommand Keys { get; }

        public void Dispose()
        {
            Get.Dispose();
            Upsert.Dispose();
            Delete.Dispose();
            Keys.Dispose();
            Sqlite.Dispose();
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var cmd = Sqlite.CreateCommand();
            cmd.CommandText = sql;
            foreach (var p in parameters)
            {
                cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
            }
            cmd.Prepare();
            return cmd;
        }
    }
}
