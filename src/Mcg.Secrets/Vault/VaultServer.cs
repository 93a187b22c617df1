using System.Net;
using Mcg.ApiServer.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The HashiCorp-Vault-compatible secret server: HTTPS on 127.0.0.1 with a private CA (<c>DIR/ca.crt</c>), state in
/// <c>DIR/vault.db</c> behind the encrypting barrier, and <c>DIR/vault-addr</c> holding its URL. It starts
/// uninitialised on first start and sealed on every later one.
/// </summary>
public sealed class VaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly VaultCore _core;
    private readonly PhysicalStorage _storage;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _tidy;

    private VaultServer(WebApplication app, VaultCore core, PhysicalStorage storage, string url, string caPath, string caPem, ILogger logger, TimeSpan tidyInterval)
    {
        _app = app;
        _core = core;
        _storage = storage;
        Url = url;
        CaCertificatePath = caPath;
        CaPem = caPem;
        _tidy = TidyLoopAsync(tidyInterval, logger, _stopping.Token);
    }

    /// <summary><c>https://127.0.0.1:PORT</c>.</summary>
    public string Url { get; }

    /// <summary>The CA that signed the serving certificate (<c>DIR/ca.crt</c>), for <c>VAULT_CACERT</c>.</summary>
    public string CaCertificatePath { get; }

    public string CaPem { get; }

    /// <summary>The server's state machine, for in-process hosts (the hub) that initialise or seal it directly.</summary>
    public VaultCore Core => _core;

    public static async Task<VaultServer> StartAsync(VaultServerOptions options, ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        loggers ??= NullLoggerFactory.Instance;
        var dir = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dir);
        options = new VaultServerOptions
        {
            DataDirectory = dir,
            Port = options.Port,
            DefaultTokenTtl = options.DefaultTokenTtl,
            MaxTokenTtl = options.MaxTokenTtl,
            TidyInterval = options.TidyInterval,
            AuditLog = options.AuditLog,
            MountSecretAtInit = options.MountSecretAtInit,
        };
        var certificates = Certificates.LoadOrCreate(dir);
        var storage = new PhysicalStorage(Path.Combine(dir, "vault.db"));
        var core = new VaultCore(options, storage, TimeProvider.System, loggers);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 32 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(certificates.Serving));
        });
        var app = builder.Build();
        var handler = new VaultHttpHandler(core, loggers.CreateLogger<VaultHttpHandler>());
        app.Run(handler.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        var url = $"https://127.0.0.1:{port}";
        await File.WriteAllTextAsync(Path.Combine(dir, "vault-addr"), url + "\n", ct);
        var logger = loggers.CreateLogger<VaultServer>();
        logger.LogInformation("Vault listening on {Url} (initialized: {Initialized})", url, await core.IsInitializedAsync(ct));
        return new VaultServer(app, core, storage, url, Path.Combine(dir, "ca.crt"), certificates.CaPem, logger, options.TidyInterval);
    }

    /// <summary>A typed client for this server, trusting its CA.</summary>
    public VaultClient CreateClient(string? token = null) => new(new VaultClientOptions { Address = Url, CaPem = CaPem, Token = token });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            await _tidy;
        }
        catch (OperationCanceledException)
        {
        }
        await _core.DisposeAsync();
        await _storage.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task TidyLoopAsync(TimeSpan interval, ILogger logger, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            if (_core.IsSealed)
            {
                continue;
            }
            try
            {
                await _core.Tokens.TidyAsync(ct);
            }
            catch (VaultException)
            {
                // Sealed meanwhile.
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Token tidy failed");
            }
        }
    }
}
