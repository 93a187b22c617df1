using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Secrets.Vault;

namespace Mcg.Bench;

/// <summary>
/// The Vault-compatible server's KV v2 hot paths over HTTPS: writes/s and reads/s with 16 concurrent clients against an
/// in-process <see cref="VaultServer"/> (audit log on, as deployed). No peer runs here (no Vault binary), so "peer" is n/a.
/// </summary>
public static class VaultBench
{
    private const int Clients = 16;

    public static async Task<IReadOnlyList<BenchRow>> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var writes = quick ? 2_000 : 10_000;
        var reads = quick ? 5_000 : 30_000;
        var audit = !args.Contains("--no-audit");
        var dir = Directory.CreateTempSubdirectory("mcg-bench-vault-").FullName;
        try
        {
            await using var server = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = dir, AuditLog = audit });
            using var admin = server.CreateClient();
            var init = await admin.InitAsync(1, 1);
            await admin.UnsealAsync(init.Keys[0]);
            admin.Token = init.RootToken;
            var clients = Enumerable.Range(0, Clients).Select(_ => server.CreateClient(init.RootToken)).ToArray();

            // Warm up connections, TLS sessions and the JIT (tiered compilation settles within a few thousand calls).
            await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (c, ct) =>
            {
                for (var i = 0; i < 100; i++)
                {
                    await clients[c].KvWriteAsync("secret", $"warm/{c}-{i % 10}", new JsonObject { ["v"] = i.ToString(CultureInfo.InvariantCulture) }, ct: ct);
                    await clients[c].KvReadAsync("secret", $"warm/{c}-{i % 10}", ct: ct);
                }
            });

            const int keys = 1_000;
            var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (c, ct) =>
            {
                for (var i = c; i < writes; i += Clients)
                {
                    await clients[c].KvWriteAsync("secret", $"bench/app-{i % keys:D4}", new JsonObject
                    {
                        ["username"] = "svc-" + i.ToString(CultureInfo.InvariantCulture),
                        ["password"] = Convert.ToHexString(BitConverter.GetBytes(i)),
                    }, ct: ct);
                }
            });
            var writeRate = writes / sw.Elapsed.TotalSeconds;
            self.Refresh();
            var writeCpu = (self.TotalProcessorTime - cpu).TotalMicroseconds / writes;

            cpu = self.TotalProcessorTime;
            sw.Restart();
            await Parallel.ForEachAsync(Enumerable.Range(0, Clients), async (c, ct) =>
            {
                for (var i = c; i < reads; i += Clients)
                {
                    var secret = await clients[c].KvReadAsync("secret", $"bench/app-{i % keys:D4}", ct: ct);
                    if (secret?.Data is null)
                    {
                        throw new InvalidOperationException($"bench/app-{i % keys:D4} missing");
                    }
                }
            });
            var readRate = reads / sw.Elapsed.TotalSeconds;
            self.Refresh();
            var readCpu = (self.TotalProcessorTime - cpu).TotalMicroseconds / reads;
            foreach (var c in clients)
            {
                c.Dispose();
            }
            return
            [
                new BenchRow($"vault KV v2 writes/s, {Clients} clients{(audit ? "" : ", no audit")}", writeRate, "ops/s", null, "-", true),
                new BenchRow($"vault KV v2 reads/s, {Clients} clients{(audit ? "" : ", no audit")}", readRate, "ops/s", null, "-", true),
                new BenchRow("vault KV v2 write CPU, client+server", writeCpu, "µs/op", null, "-", false),
                new BenchRow("vault KV v2 read CPU, client+server", readCpu, "µs/op", null, "-", false),
            ];
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
