using Mcg.Kube.Client;

namespace Mcg.WebConsole.Auth;

/// <summary>
/// A logged-in browser: the client that acts with the user's token (the token itself never goes back to the
/// browser) and the anti-forgery token its forms and script must echo on every POST.
/// </summary>
public sealed class Session(string id, string csrfToken, KubernetesClientKubeClient client, DateTimeOffset now) : IDisposable
{
    public string Id { get; } = id;
    public string CsrfToken { get; } = csrfToken;
    public IKubeClient Client => client;
    public DateTimeOffset LastUsed { get; set; } = now;

    public void Dispose() => client.Dispose();
}
