namespace Mcg.ApiServer.Tests.Support;

/// <summary>One server process shared by a test class.</summary>
public class ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private ApiHttp? _http;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public Kubectl Kubectl => new(Server.KubeconfigPath);

    /// <summary>Raw HTTP to the server as admin, for what the clients hide (status codes, Status bodies, watch lines).</summary>
    public ApiHttp Http => _http ??= new ApiHttp(Server);

    /// <summary>Extra <c>mcg cluster serve</c> arguments for a derived fixture.</summary>
    protected virtual string[] ServerArgs => [];

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(null, ServerArgs);

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
