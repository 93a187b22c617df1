using Mcg.Kube.Client;
using Mcg.WebConsole.Auth;
using Microsoft.AspNetCore.Http;

namespace Mcg.WebConsole.Tests;

/// <summary>Server-side sessions: the cookie they set, idle expiry, log-out and the anti-forgery check.</summary>
public sealed class SessionStoreTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task ASessionIsFoundByItsCookieUntilIdleTooLongAndChecksItsCsrfToken()
    {
        var clock = new ManualClock();
        using var store = new SessionStore(TimeSpan.FromMinutes(10), clock);
        var login = new DefaultHttpContext();
        var session = store.Create(Client(), login.Response);
        var setCookie = login.Response.Headers.SetCookie.ToString();
        Assert.StartsWith($"{SessionStore.CookieName}={session.Id};", setCookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(session.Id, session.CsrfToken);

        Assert.Same(session, store.Find(Request(session.Id)));
        Assert.Null(store.Find(Request("forged")));
        Assert.Null(store.Find(new DefaultHttpContext().Request));

        Assert.True(await SessionStore.HasValidCsrfAsync(Request(session.Id, csrf: session.CsrfToken), session));
        Assert.False(await SessionStore.HasValidCsrfAsync(Request(session.Id, csrf: session.CsrfToken[..^1]), session));
        Assert.False(await SessionStore.HasValidCsrfAsync(Request(session.Id), session));

        clock.Now += TimeSpan.FromMinutes(9); // use keeps it alive...
        Assert.Same(session, store.Find(Request(session.Id)));
        clock.Now += TimeSpan.FromMinutes(9);
        Assert.Same(session, store.Find(Request(session.Id)));
        clock.Now += TimeSpan.FromMinutes(11); // ...idleness ends it
        Assert.Null(store.Find(Request(session.Id)));
    }

    [Fact]
    public void LoggingOutEndsTheSessionAndClearsTheCookie()
    {
        using var store = new SessionStore(TimeSpan.FromHours(1), new ManualClock());
        var session = store.Create(Client(), new DefaultHttpContext().Response);
        var logout = new DefaultHttpContext();
        logout.Request.Headers.Cookie = $"{SessionStore.CookieName}={session.Id}";
        store.End(logout);
        Assert.Contains($"{SessionStore.CookieName}=;", logout.Response.Headers.SetCookie.ToString());
        Assert.Null(store.Find(Request(session.Id)));
    }

    private static KubernetesClientKubeClient Client() =>
        new(new k8s.KubernetesClientConfiguration { Host = "https://127.0.0.1:1", AccessToken = "t" });

    private static HttpRequest Request(string id, string? csrf = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Cookie = $"{SessionStore.CookieName}={id}";
        if (csrf is not null)
        {
            http.Request.Headers[SessionStore.CsrfHeader] = csrf;
        }
        return http.Request;
    }
}
