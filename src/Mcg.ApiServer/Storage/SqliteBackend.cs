using Microsoft.Data.Sqlite;

namespace Mcg.ApiServer.Storage;

/// <summary>
/// Durable state: one row per object plus the resourceVersion counter, in SQLite with WAL.
/// synchronous=NORMAL keeps every committed transaction across a process kill (only power loss could drop the last ones).
/// </summary>
internal sealed class SqliteBackend : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _setRv;

    public SqliteBackend(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS objects (skey TEXT NOT NULL, okey TEXT NOT NULL, rv INTEGER NOT NULL, json BLOB NOT NULL, PRIMARY KEY (skey, okey));
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);
        _upsert = Prepare("INSERT INTO objects (skey, okey, rv, json) VALUES ($s, $k, $rv, $j) ON CONFLICT (skey, okey) DO UPDATE SET rv = $rv, json = $j", "$s", "$k", "$rv", "$j");
        _delete = Prepare("DELETE FROM objects WHERE skey = $s AND okey = $k", "$s", "$k");
        _setRv = Prepare("INSERT INTO meta (name, value) VALUES ('rv', $rv) ON CONFLICT (name) DO UPDATE SET value = $rv", "$rv");
    }

    public long LoadResourceVersion()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE name = 'rv'";
        return cmd.ExecuteScalar() is long rv ? rv : 0;
    }

    public IEnumerable<(string StorageKey, long Rv, byte[] Json)> LoadObjects()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT skey, rv, json FROM objects ORDER BY skey, okey";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetString(0), reader.GetInt64(1), (byte[])reader[2]);
        }
    }

    /// <summary>Writes one change and the counter in one transaction.</summary>
    public void Write(string storageKey, string objectKey, long rv, byte[]? json)
    {
        using var tx = _connection.BeginTransaction();
        var cmd = json is null ? _delete : _upsert;
        cmd.Transaction = tx;
        cmd.Parameters["$s"].Value = storageKey;
        cmd.Parameters["$k"].Value = objectKey;
        if (json is not null)
        {
            cmd.Parameters["$rv"].Value = rv;
            cmd.Parameters["$j"].Value = json;
        }
        cmd.ExecuteNonQuery();
        _setRv.Transaction = tx;
        _setRv.Parameters["$rv"].Value = rv;
        _setRv.ExecuteNonQuery();
        tx.Commit();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
        _setRv.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }
        return cmd;
    }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
