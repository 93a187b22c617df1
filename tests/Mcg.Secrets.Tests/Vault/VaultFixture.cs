using System.Text.Json.Nodes;
using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.Vault;

/// <summary>
/// One real <c>mcg vault serve</c> process shared by a test class, initialised (5 shares, threshold 3) and unsealed
/// through python3-hvac — which is itself the init/unseal test: the fixture fails if any step answers unlike Vault.
/// </summary>
public sealed class VaultFixture : IAsyncLifetime
{
    private McgProcess? _process;

    public McgProcess Process => _process ?? throw new InvalidOperationException("not started");
    public string Addr => Process.Url;
    public string CaCert => Path.Combine(Process.DataDir, "ca.crt");
    public string RootToken { get; private set; } = "";
    public IReadOnlyList<string> Keys { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await Tools.RequireHvacAsync();
        _process = await McgProcess.StartAsync("vault", "serve");
        var init = await InitAndUnsealAsync(Addr, CaCert);
        RootToken = init.RootToken;
        Keys = init.Keys;
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    public Task<ToolResult> HvacAsync(string script, string? token = null, IDictionary<string, string>? env = null) =>
        Tools.HvacAsync(Addr, CaCert, token ?? RootToken, script, env);

    public Task<(int Status, string Body)> CurlAsync(string method, string path, string? token = null, string? body = null, string? contentType = null) =>
        Tools.CurlAsync(CaCert, method, Addr + "/v1/" + path, token, body, contentType);

    /// <summary>Initialises with hvac and unseals with keys 5, 2 and 4 (any three of five), checking every answer on the way.</summary>
    public static async Task<(string RootToken, IReadOnlyList<string> Keys)> InitAndUnsealAsync(string addr, string caCert)
    {
        var r = (await Tools.HvacAsync(addr, caCert, null, """
            assert client.sys.is_initialized() is False
            health = requests.get(os.environ["VAULT_ADDR"] + "/v1/sys/health", verify=os.environ["VAULT_CACERT"])
            assert health.status_code == 501, health.status_code
            assert health.json()["initialized"] is False and health.json()["sealed"] is True
            init = client.sys.initialize(secret_shares=5, secret_threshold=3)
            assert len(init["keys"]) == 5 and len(init["keys_base64"]) == 5
            assert all(len(k) == 66 for k in init["keys"]), init["keys"]
            assert init["root_token"].startswith("hvs.")
            assert client.sys.is_initialized() is True
            assert client.sys.is_sealed() is True
            try:
                client.sys.initialize(secret_shares=1, secret_threshold=1)
                raise AssertionError("second init accepted")
            except exceptions.InvalidRequest as e:
                assert "Vault is already initialized" in str(e), str(e)
            status = client.sys.read_seal_status()
            assert status["t"] == 3 and status["n"] == 5 and status["progress"] == 0 and status["type"] == "shamir", status
            # A share in base64, a reset, then hex shares: progress counts up and resets.
            step = client.sys.submit_unseal_key(init["keys_base64"][4])
            assert step["sealed"] is True and step["progress"] == 1 and step["nonce"] != "", step
            step = client.sys.submit_unseal_key(reset=True)
            assert step["progress"] == 0, step
            for i, key in enumerate([init["keys"][4], init["keys"][1]]):
                step = client.sys.submit_unseal_key(key)
                assert step["sealed"] is True and step["progress"] == i + 1, step
            step = client.sys.submit_unseal_key(init["keys"][3])
            assert step["sealed"] is False and step["progress"] == 0, step
            assert step["cluster_name"].startswith("vault-cluster-"), step
            assert client.sys.is_sealed() is False
            health = client.sys.read_health_status(method="GET")
            assert health["initialized"] is True and health["sealed"] is False and health["standby"] is False, health
            print(json.dumps({"root_token": init["root_token"], "keys": init["keys"]}))
            """)).EnsureSuccess("hvac init/unseal");
        var json = JsonNode.Parse(r.Stdout.Trim().Split('\n')[^1])!;
        return (json["root_token"]!.GetValue<string>(), json["keys"]!.AsArray().Select(k => k!.GetValue<string>()).ToList());
    }
}
