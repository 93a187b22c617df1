using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Mcg.ApiServer.Hosting;
using Mcg.ApiServer.Tests.Support;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Vault;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>
/// An embedded API server and a Vault server (both over HTTPS, in this process) with the ExternalSecret controller
/// running against the API server; a SecretStore <c>vault</c> in namespace <c>apps</c> authenticates with a token
/// (policy: read/write <c>secret/apps/*</c>) kept in the Secret <c>vault-token</c>.
/// </summary>
public sealed class EsoFixture : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly string _root = Directory.CreateTempSubdirectory("mcg-eso-").FullName;
    private EmbeddedApiServer? _api;
    private VaultServer? _vault;
    private Task? _controller;

    public const string Namespace = "apps";
    public IKubeClient Kube { get; private set; } = null!;
    public VaultClient Vault { get; private set; } = null!;
    public Kubectl Kubectl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _api = await EmbeddedApiServer.StartAsync(new ApiServerOptions { DataDirectory = Path.Combine(_root, "api") });
        Kube = new KubernetesClientKubeClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(_api.KubeconfigPath));
        Kubectl = new Kubectl(_api.KubeconfigPath);
        _vault = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = Path.Combine(_root, "vault"), AuditLog = false });
        Vault = _vault.CreateClient();
        await Vault.EnsureInitializedAndUnsealedAsync(null, 1, 1);
        await Vault.WritePolicyAsync("apps", """path "secret/data/apps/*" { capabilities = ["create", "read", "update", "delete"] }""");
        var token = await Vault.CreateTokenAsync(new TokenCreateRequest { Policies = ["apps"], Ttl = "24h" });
        _controller = ExternalSecretsController.RunAsync(Kube, NullLoggerFactory.Instance, new ExternalSecretsOptions(), _stop.Token);
        await Eventually.TrueAsync(async () => (await Kubectl.RunAsync("get crd externalsecrets.external-secrets.io")).ExitCode == 0, "the CRDs are installed", TimeSpan.FromSeconds(60));
        await ApplyAsync($$"""
            apiVersion: v1
            kind: Namespace
            metadata: {name: {{Namespace}}}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: vault-token, namespace: {{Namespace}}}
            stringData: {token: "{{token.ClientToken}}"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: vault-ca, namespace: {{Namespace}}}
            data:
              ca.crt: {{JsonValue.Create(_vault.CaPem).ToJsonString()}}
            ---
            apiVersion: external-secrets.io/v1
            kind: SecretStore
            metadata: {name: vault, namespace: {{Namespace}}}
            spec:
              provider:
                vault:
                  server: {{_vault.Url}}
                  path: secret
                  version: v2
                  caProvider: {type: ConfigMap, name: vault-ca, key: ca.crt}
                  auth:
                    tokenSecretRef: {name: vault-token, key: token}
            """);
        await Eventually.TrueAsync(async () => EsoConditions.ReadyStatus(await GetAsync(EsoResources.SecretStores, "vault") ?? []) == "True",
            "the SecretStore is Ready", TimeSpan.FromSeconds(60));
    }

    public async Task ApplyAsync(string yaml)
    {
        foreach (var doc in YamlJson.ParseAll(yaml).OfType<JsonObject>())
        {
            if (doc["stringData"] is JsonObject stringData)
            {
                doc["data"] = new JsonObject(stringData.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value!.GetValue<string>())))));
                doc.Remove("stringData");
            }
            await Kube.ApplyAsync(doc, new ApplyOptions("test") { Force = true });
        }
    }

    public Task<JsonObject?> GetAsync(ResourceRef resource, string name) => Kube.GetAsync(resource, Namespace, name);

    public async Task<Dictionary<string, string>?> SecretDataAsync(string name) =>
        await GetAsync(ResourceRef.Secrets, name) is { } secret
            ? ExternalSecretReconciler.SecretData(secret).ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value))
            : null;

    public async Task<JsonObject> WaitForReadyAsync(string es, string status, string reason)
    {
        JsonObject? last = null;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                last = await GetAsync(EsoResources.ExternalSecrets, es);
                var ready = (last?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
                return ready?["status"]?.GetValue<string>() == status && ready["reason"]?.GetValue<string>() == reason;
            }, $"ExternalSecret {es} is Ready={status} ({reason})", TimeSpan.FromSeconds(60));
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var events = (await Kubectl.RunAsync($"get events -n {Namespace} --field-selector involvedObject.name={es} -o jsonpath={{.items[*].message}}")).Out;
            throw new Xunit.Sdk.XunitException($"{e.Message}; last: {last?.ToJsonString()}; events: {events}");
        }
        return last!;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_controller is not null)
        {
            try
            {
                await _controller;
            }
            catch (OperationCanceledException)
            {
            }
        }
        Vault?.Dispose();
        if (_vault is not null)
        {
            await _vault.DisposeAsync();
        }
        (Kube as IDisposable)?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
        }
    }
}
