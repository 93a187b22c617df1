using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Mcg.Kube.Client;
using Microsoft.AspNetCore.Http;

namespace Mcg.WebConsole.Auth;

/// <summary>
/// Server-side sessions keyed by a random id in an HttpOnly, SameSite=Strict cookie; idle sessions expire.
/// POSTs must also carry the session's anti-forgery token (header <c>X-CSRF-Token</c> or form field <c>csrf</c>).
/// </summary>
public sealed class SessionStore(TimeSpan idleTimeout, TimeProvider time) : IDisposable
{
    public const string CookieName = "mcg_console";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string CsrfField = "csrf";

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public Session Create(KubernetesClientKubeClient client, HttpResponse response)
    {
        RemoveExpired();
        var session = new Session(NewToken(), NewToken(), client, time.GetUtcNow());
        _sessions[session.Id] = session;
        response.Cookies.Append(CookieName, session.Id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = response.HttpContext.Request.IsHttps,
            Path = "/",
        });
        return session;
    }

    /// <summary>The request's live session (touching it), or null.</summary>
    public Session? Find(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var id) || id is null || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }
        var now = time.GetUtcNow();
        if (now - session.LastUsed > idleTimeout)
        {
            Remove(id);
            return null;
        }
        session.LastUsed = now;
        return session;
    }

    public void End(HttpContext http)
    {
        if (http.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null)
        {
            Remove(id);
        }
        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
    }

    /// <summary>Whether a POST carries this session's anti-forgery token (compared in constant time).</summary>
    public static async Task<bool> HasValidCsrfAsync(HttpRequest request, Session session)
    {
        string? sent = request.Headers[CsrfHeader];
        if (string.IsNullOrEmpty(sent) && request.HasFormContentType)
        {
            sent = (await request.ReadFormAsync(request.HttpContext.RequestAborted))[CsrfField];
        }
        return sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.CsrfToken));
    }

    public void Dispose()
    {
        foreach (var id in _sessions.Keys)
        {
            Remove(id);
        }
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (id, s) in _sessions)
        {
            if (now - s.LastUsed > idleTimeout)
            {
                Remove(id);
            }
        }
    }

    private void Remove(string id)
    {
        if (_sessions.TryRemove(id, out var s))
        {
            s.Dispose();
        }
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
