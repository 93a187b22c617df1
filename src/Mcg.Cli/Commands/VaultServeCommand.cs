using System.CommandLine;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>mcg vault serve</c>: the HashiCorp-Vault-compatible secret server.</summary>
public static class VaultServeCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Data directory (encrypted state, audit.log, certificates, vault-addr)", Required = true };
        var port = new Option<int>("--port") { Description = "HTTPS port on 127.0.0.1 (0: any free port)", DefaultValueFactory = _ => 0 };
        var serve = new Command("serve", "Start a Vault-compatible secret server (uninitialised on first start, sealed on every later start)") { data, port };
        serve.SetAction(async (parse, ct) =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var dir = parse.GetValue(data)!.FullName;
            await using var server = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = dir, Port = parse.GetValue(port) }, loggers, ct);
            Console.WriteLine($"Vault listening on {server.Url}");
            Console.WriteLine($"export VAULT_ADDR={server.Url} VAULT_CACERT={server.CaCertificatePath}");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            return 0;
        });
        return serve;
    }
}
