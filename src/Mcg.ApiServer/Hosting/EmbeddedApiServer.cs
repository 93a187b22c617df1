using System.Net;
using System.Security.Cryptography;
using Mcg.ApiServer.Auth;
using Mcg.ApiServer.Controllers;
using Mcg.ApiServer.Extensions;
using Mcg.ApiServer.Http;
using Mcg.ApiServer.Lifecycle;
using Mcg.ApiServer.Resources;
using Mcg.ApiServer.Storage;
using Mcg.Kube.Apply;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcg.ApiServer.Hosting;

/// <summary>
/// The embedded Kubernetes-compatible API server: HTTPS on 127.0.0.1, state in SQLite under the data directory,
/// and <c>DIR/kubeconfig</c> for kubectl and KubernetesClient.
/// </summary>
public sealed class EmbeddedApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ServerControllers _controllers;

    private EmbeddedApiServer(WebApplication app, ObjectStore store, ServerControllers controllers, string url, string kubeconfigPath, string adminToken)
    {
        _app = app;
        _store = store;
        _controllers = controllers;
        Url = url;
        KubeconfigPath = kubeconfigPath;
        AdminToken = adminToken;
    }

    public string Url { get; }
    public string KubeconfigPath { get; }
    public string AdminToken { get; }
    public ObjectStore Store => _store;

    /// <summary>Connect-style subresources (e.g. <c>pods/exec</c>) served by the host rather than the generic storage.</summary>
    public SubresourceHandlers Subresources => _app.Services.GetRequiredService<SubresourceHandlers>();


    public static async Task<EmbeddedApiServer> StartAsync(ApiServerOptions options, ILoggerProvider? loggerProvider = null, CancellationToken ct = default)
    {
        var dir = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dir);
        var certificates = Certificates.LoadOrCreate(dir);
        var adminToken = ReadOrCreateSecret(Path.Combine(dir, "admin-token"), () => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant());
        var signingKey = Convert.FromHexString(ReadOrCreateSecret(Path.Combine(dir, "sa-signing-key"), () => Convert.ToHexString(RandomNumberGenerator.GetBytes(32))));
        var staticTokens = Authenticator.ReadTokenFile(Path.Combine(dir, "tokens.csv"));
        staticTokens[adminToken] = new UserInfo("admin", [UserInfo.Masters, "system:authenticated"]);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.Logging.ClearProviders();
        if (loggerProvider is not null)
        {
            builder.Logging.AddProvider(loggerProvider);
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(certificates.Serving));
        });
        var clock = TimeProvider.System;
        var store = new ObjectStore(Path.Combine(dir, "state.db"), options.WatchHistory, options.WatchHistoryBytes);
        var registry = new ResourceRegistry();
        var lifecycle = new ObjectLifecycle(store, clock);
        var crds = new CrdController(store, lifecycle, registry, clock);
        crds.LoadExisting();
        EnsureSystemNamespaces(store, registry, clock);
        store.Committed += crds.OnCommitted;
        builder.Services.AddSingleton(store).AddSingleton(registry).AddSingleton(lifecycle).AddSingleton<TimeProvider>(clock)
            .AddSingleton(new ServiceAccountTokens(signingKey, clock))
            .AddSingleton(sp => new Authenticator(staticTokens, sp.GetRequiredService<ServiceAccountTokens>(), store))
            .AddSingleton<RbacAuthorizer>().AddSingleton<FieldManager>().AddSingleton<ResourceHandler>().AddSingleton<ReviewHandler>()
            .AddSingleton<Discovery>().AddSingleton<SubresourceHandlers>().AddSingleton<OpenApi>().AddSingleton<ApiRouter>().AddSingleton(options).AddSingleton<ApiServerMetrics>()
            .AddSingleton<GarbageCollector>().AddSingleton<NamespaceController>().AddSingleton<ServerControllers>();
        var app = builder.Build();
        var router = app.Services.GetRequiredService<ApiRouter>();
        app.Run(router.HandleAsync);
        await app.StartAsync(ct);
        var controllers = app.Services.GetRequiredService<ServerControllers>();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
        var url = $"https://127.0.0.1:{port}";
        var kubeconfigPath = Path.Combine(dir, "kubeconfig");
        Certificates.WriteSecret(kubeconfigPath, Kubeconfig.Render(url, certificates.CaPem, adminToken, options.ClusterName));
        return new EmbeddedApiServer(app, store, controllers, url, kubeconfigPath, adminToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _controllers.DisposeAsync();
        await _app.DisposeAsync();
        _store.Dispose();
    }

    /// <summary>The namespaces every cluster has (kubectl without <c>-n</c> means <c>default</c>).</summary>
    private static void EnsureSystemNamespaces(ObjectStore store, ResourceRegistry registry, TimeProvider clock)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            if (store.Get(namespaces.StorageKey, null, name) is null)
            {
                var ns = new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name } };
                ObjectRules.PrepareForCreate(namespaces, ns, "", clock.GetUtcNow());
                store.Put(namespaces.StorageKey, ns, 0);
            }
        }
    }

    private static string ReadOrCreateSecret(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        var value = create();
        Certificates.WriteSecret(path, value);
        return value;
    }
}
