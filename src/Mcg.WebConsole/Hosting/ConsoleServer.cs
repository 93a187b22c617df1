using System.Net;
using System.Text.Json;
using Mcg.GitOps.Applications;
using Mcg.GitOps.Controller;
using Mcg.GitOps.Diff;
using Mcg.GitOps.Sources;
using Mcg.Kube.Client;
using Mcg.WebConsole.Auth;
using Mcg.WebConsole.Fleet;
using Mcg.WebConsole.Live;
using Mcg.WebConsole.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcg.WebConsole.Hosting;

/// <summary>
/// The web console: server-rendered pages over the hub API, read and written with each user's own token, live
/// through server-sent events, plus the hub's <c>/metrics</c> on the same origin. Plain HTTP on 127.0.0.1 only.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SessionStore _sessions;

    private ConsoleServer(WebApplication app, SessionStore sessions, string url)
    {
        _app = app;
        _sessions = sessions;
        Url = url;
    }

    /// <summary>The console's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public string Url { get; }

    public static async Task<ConsoleServer> StartAsync(ConsoleOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var sessions = new SessionStore(options.SessionIdleTimeout, TimeProvider.System);
        var repositories = options.RepositoryDirectory is null ? null
            : new RepositoryCache(new RepositoryCacheOptions { RootDirectory = options.RepositoryDirectory }, loggers.CreateLogger<RepositoryCache>());
        var endpoints = new ConsoleEndpoints(new HubConnector(options.HubKubeconfig), sessions, new ChangeStream(loggers.CreateLogger<ChangeStream>()),
            options.Metrics, repositories, loggers.CreateLogger<ConsoleServer>());
        endpoints.Map(app);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ConsoleServer(app, sessions, $"http://127.0.0.1:{new Uri(address).Port}/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _sessions.Dispose();
    }
}

/// <summary>The console's routes.</summary>
internal sealed class ConsoleEndpoints(HubConnector hub, SessionStore sessions, ChangeStream changes, RequestDelegate? metrics, RepositoryCache? repositories, ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Map(WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            http.Response.Headers["X-Frame-Options"] = "DENY";
            http.Response.Headers["Referrer-Policy"] = "same-origin";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
            if (HttpMethods.IsPost(http.Request.Method) && !SameOrigin(http.Request))
            {
                http.Response.StatusCode = 403;
                await http.Response.WriteAsync("cross-origin request refused");
                return;
            }
            await next(http);
        });
        app.MapGet("/login", (HttpContext http) => sessions.Find(http.Request) is null ? Page(Layout.Login(null)) : Results.Redirect("/"));
        app.MapPost("/login", Handler(LoginAsync));
        app.MapPost("/logout", async (HttpContext http) =>
        {
            if (sessions.Find(http.Request) is { } s && await SessionStore.HasValidCsrfAsync(http.Request, s))
            {
                sessions.End(http);
            }
            return Results.Redirect("/login", preserveMethod: false);
        });
        app.MapGet("/assets/{file}", (string file) => Asset(file));
        app.MapGet("/metrics", MetricsAsync);
        app.MapGet("/api/overview", Handler((HttpContext http) => WithFleetAsync(http, fleet => Results.Json(FleetSummary.Of(fleet), Json))));
        app.MapGet("/events", async (HttpContext http) =>
        {
            if (sessions.Find(http.Request) is not { } s)
            {
                http.Response.StatusCode = 401;
                return;
            }
            await changes.ServeAsync(http, s.Client, http.Request.Query["watch"]);
        });
        app.MapGet("/", Handler((HttpContext http) => PageAsync(http, (fleet, _) => OverviewPage.Render(fleet))));
        app.MapGet("/clusters", Handler((HttpContext http) => PageAsync(http, (fleet, now) => ClusterPages.List(fleet, now))));
        app.MapGet("/clusters/{name}", (HttpContext http, string name) => PageAsync(http, (fleet, now) => ClusterPages.Detail(fleet, name, now)));
        app.MapGet("/apps", Handler((HttpContext http) => PageAsync(http, (fleet, _) => AppPages.List(fleet))));
        app.MapGet("/apps/{ns}/{name}", AppPageAsync);
        app.MapGet("/apps/{ns}/{name}/diff", AppDiffAsync);
        app.MapPost("/apps/{ns}/{name}/{verb}", AppActionAsync);
        app.MapGet("/governance", Handler((HttpContext http) => PageAsync(http, (fleet, _) => GovernancePage.Render(fleet))));
        app.MapGet("/secrets", Handler((HttpContext http) => PageAsync(http, (fleet, now) => SecretsPage.Render(fleet, now))));
    }

    /// <summary>A handler whose result is written (a lambda over HttpContext alone would bind as a RequestDelegate).</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    private async Task<IResult> LoginAsync(HttpContext http)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        try
        {
            var client = await hub.LoginAsync(form?["token"].ToString().Trim() ?? "", http.RequestAborted);
            sessions.Create(client, http.Response);
            return Results.Redirect("/", preserveMethod: false);
        }
        catch (LoginRejectedException e)
        {
            return Page(Layout.Login(e.Message), 401);
        }
        catch (HttpRequestException e)
        {
            return Page(Layout.Login($"The hub API is not reachable: {e.Message}"), 502);
        }
    }

    private async Task MetricsAsync(HttpContext http)
    {
        if (metrics is null)
        {
            http.Response.StatusCode = 404;
            return;
        }
        // The hub's RBAC decides, as for /metrics on the API: a session, or a bearer token allowed to GET /metrics.
        var bearer = http.Request.Headers.Authorization.ToString();
        var allowed = sessions.Find(http.Request) is not null
            || bearer.StartsWith("Bearer ", StringComparison.Ordinal) && await hub.MayGetAsync(bearer["Bearer ".Length..].Trim(), "/metrics", http.RequestAborted);
        if (!allowed)
        {
            http.Response.StatusCode = 401;
            return;
        }
        await metrics(http);
    }

    private Task<IResult> PageAsync(HttpContext http, Func<FleetView, DateTimeOffset, ConsolePage?> render) =>
        WithSessionAsync(http, async session =>
        {
            var fleet = await FleetView.LoadAsync(session.Client, http.RequestAborted);
            return Render(http, session, render(fleet, DateTimeOffset.UtcNow));
        });

    private Task<IResult> WithFleetAsync(HttpContext http, Func<FleetView, IResult> result) =>
        WithSessionAsync(http, async session => result(await FleetView.LoadAsync(session.Client, http.RequestAborted)));

    private Task<IResult> AppPageAsync(HttpContext http, string ns, string name) =>
        WithSessionAsync(http, async session =>
        {
            var app = await session.Client.GetAsync(ApplicationController.Applications, ns, name, http.RequestAborted);
            return Render(http, session, app is null ? null : AppPages.Detail(FleetView.ToApp(app), session.CsrfToken));
        });

    /// <summary>
    /// The live diff (as <c>mcg app diff</c>) of an application on the hub itself, computed on request with the
    /// user's client. A managed cluster's live objects are not readable from the hub (pull model): for those the
    /// page lists what the controller found OutOfSync.
    /// </summary>
    private Task<IResult> AppDiffAsync(HttpContext http, string ns, string name) =>
        WithSessionAsync(http, async session =>
        {
            var app = await session.Client.GetAsync(ApplicationController.Applications, ns, name, http.RequestAborted);
            if (app is null)
            {
                return Render(http, session, null);
            }
            var row = FleetView.ToApp(app);
            if (repositories is null)
            {
                return Render(http, session, AppPages.Diff(row, null, "The live diff is not enabled on this hub."));
            }
            try
            {
                var spec = ApplicationSpec.Parse(app);
                if (!spec.Destination.IsInCluster)
                {
                    return Render(http, session, AppPages.Diff(row, null,
                        $"{row.Destination} is a managed cluster: its live objects stay there (the hub only gets their status), so the live diff runs on the hub's own applications. The resources the controller found OutOfSync are on the application page."));
                }
                var diffs = await AppDiff.ComputeAsync(session.Client, app, repositories, ns, null, http.RequestAborted);
                return Render(http, session, AppPages.Diff(row, diffs, null));
            }
            catch (Exception e) when (e is InvalidSpecException or ComparisonException)
            {
                return Render(http, session, AppPages.Diff(row, null, e.Message));
            }
        });

    /// <summary>Sync, Refresh or Rollback, as the user (Argo CD semantics, see <see cref="ApplicationOperations"/>).</summary>
    private Task<IResult> AppActionAsync(HttpContext http, string ns, string name, string verb) =>
        WithSessionAsync(http, async session =>
        {
            if (!await SessionStore.HasValidCsrfAsync(http.Request, session))
            {
                return Reply(http, 403, "missing or wrong anti-forgery token", ns, name);
            }
            var ct = http.RequestAborted;
            var app = await session.Client.GetAsync(ApplicationController.Applications, ns, name, ct);
            if (app is null)
            {
                return Reply(http, 404, $"application {ns}/{name} not found", ns, name);
            }
            try
            {
                switch (verb)
                {
                    case "sync":
                        await ApplicationOperations.StartAsync(session.Client, ns, name, ApplicationOperations.Sync(), "console", ct);
                        return Reply(http, 200, $"Sync of {name} requested", ns, name);
                    case "refresh":
                        await ApplicationOperations.RefreshAsync(session.Client, ns, name, hard: false, ct);
                        return Reply(http, 200, $"Refresh of {name} requested", ns, name);
                    case "rollback":
                        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
                        long? id = long.TryParse(form?["id"], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
                        await ApplicationOperations.StartAsync(session.Client, ns, name, ApplicationOperations.Rollback(app, id), "console", ct);
                        return Reply(http, 200, $"Rollback of {name} to {(id is null ? "the previous deployment" : $"history {id}")} requested", ns, name);
                    default:
                        return Reply(http, 404, $"unknown action '{verb}' (sync, refresh, rollback)", ns, name);
                }
            }
            catch (RollbackRefusedException e)
            {
                return Reply(http, 409, e.Message, ns, name);
            }
            catch (KubeApiException e) when (e.StatusCode == 403)
            {
                return Reply(http, 403, $"the hub refused: {e.Message}", ns, name);
            }
        });

    /// <summary>The script asks for JSON; a plain form post is sent back to the app page.</summary>
    private static IResult Reply(HttpContext http, int status, string message, string ns, string name) =>
        http.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal) || status != 200
            ? Results.Json(new { message }, Json, statusCode: status)
            : Results.Redirect($"/apps/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}", preserveMethod: false);

    /// <summary>Runs <paramref name="action"/> for a logged-in user; otherwise the login page (pages) or 401 (fragments, JSON).</summary>
    private async Task<IResult> WithSessionAsync(HttpContext http, Func<Session, Task<IResult>> action)
    {
        var session = sessions.Find(http.Request);
        if (session is null)
        {
            return WantsPage(http) ? Results.Redirect("/login") : Results.Json(new { message = "log in first" }, Json, statusCode: 401);
        }
        try
        {
            return await action(session);
        }
        catch (KubeApiException e) when (e.StatusCode == 401)
        {
            sessions.End(http); // the token was revoked or expired on the hub
            return WantsPage(http) ? Results.Redirect("/login") : Results.Json(new { message = "the hub no longer accepts this token" }, Json, statusCode: 401);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Console could not reach the hub API");
            return Results.Text($"The hub API is not reachable: {e.Message}", "text/plain", statusCode: 502);
        }
    }

    private static bool WantsPage(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) && http.Request.Query["fragment"].Count == 0 && !http.Request.Path.StartsWithSegments("/api");

    private static IResult Render(HttpContext http, Session session, ConsolePage? page)
    {
        page ??= new ConsolePage("Not found", "", "<h1>Not found</h1><p class=\"muted\">No such object (or you may not read it).</p>");
        var status = page.Title == "Not found" ? 404 : 200;
        return http.Request.Query["fragment"].Count > 0
            ? Page(page.Body, status)
            : Page(Layout.Render(page, http.Request.Path.Value ?? "/", session.CsrfToken), status);
    }

    private static IResult Page(string html, int status = 200) => Results.Content(html, "text/html; charset=utf-8", statusCode: status);

    private static IResult Asset(string file)
    {
        var stream = typeof(ConsoleServer).Assembly.GetManifestResourceStream($"assets/{file}");
        if (stream is null)
        {
            return Results.NotFound();
        }
        var type = Path.GetExtension(file) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type);
    }

    /// <summary>POSTs must come from the console's own pages (Origin, or else Sec-Fetch-Site, when the browser sends them).</summary>
    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        }
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length == 0 || site is "same-origin" or "none";
    }
}
