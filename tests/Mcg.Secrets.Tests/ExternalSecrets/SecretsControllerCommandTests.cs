using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Secrets.ExternalSecrets;
using Mcg.Secrets.Hub;
using Mcg.Secrets.Vault;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>
/// <c>mcg secrets controller --kubeconfig F</c> against a real <c>mcg cluster serve</c> process: a SecretStore with
/// Kubernetes auth whose JWT comes from the cluster's TokenRequest API and is reviewed by the same cluster.
/// </summary>
public sealed class SecretsControllerCommandTests
{
    [Fact]
    public async Task TheStandaloneControllerSyncsWithKubernetesAuth()
    {
        await using var cluster = await ServerProcess.StartAsync();
        var root = Directory.CreateTempSubdirectory("mcg-eso-cli-").FullName;
        await using var vault = await VaultServer.StartAsync(new VaultServerOptions { DataDirectory = Path.Combine(root, "vault"), AuditLog = false });
        using var admin = vault.CreateClient();
        await admin.EnsureInitializedAndUnsealedAsync(null, 1, 1);
        var endpoint = KubeconfigEndpoint.Read(cluster.KubeconfigPath);
        await SpokeVaultInit.EnsureMountAsync(admin, "solo", endpoint.Server, endpoint.CaPem, CancellationToken.None);
        await admin.KvWriteAsync("secret", "solo/app", new JsonObject { ["password"] = "p4ss" });

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mcg.dll"), "secrets", "controller", "--kubeconfig", cluster.KubeconfigPath, "--service-account" })
        {
            psi.ArgumentList.Add(a);
        }
        var log = new StringBuilder();
        using var controller = Process.Start(psi)!;
        controller.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        controller.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        controller.BeginOutputReadLine();
        controller.BeginErrorReadLine();
        try
        {
            var kubectl = new Kubectl(cluster.KubeconfigPath);
            await Eventually.TrueAsync(async () => (await kubectl.RunAsync($"get sa {EsoServiceAccount.Name} -n {EsoServiceAccount.Namespace}")).ExitCode == 0
                && (await kubectl.RunAsync("get crd secretstores.external-secrets.io")).ExitCode == 0, "the controller set up its CRDs and service account", TimeSpan.FromSeconds(90));
            (await kubectl.RunAsync("apply -f -", $$"""
                apiVersion: external-secrets.io/v1
                kind: SecretStore
                metadata: {name: vault, namespace: {{EsoServiceAccount.Namespace}}}
                spec:
                  provider:
                    vault:
                      server: {{vault.Url}}
                      path: secret
                      caBundle: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(vault.CaPem))}}
                      auth:
                        kubernetes:
                          mountPath: solo
                          role: solo-role
                          serviceAccountRef: {name: {{EsoServiceAccount.Name}}}
                ---
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata: {name: app, namespace: {{EsoServiceAccount.Namespace}}}
                spec:
                  refreshInterval: 1h
                  secretStoreRef: {name: vault}
                  data:
                  - secretKey: password
                    remoteRef: {key: solo/app, property: password}
                """)).Ok();
            await Eventually.TrueAsync(async () =>
                (await kubectl.RunAsync($"get secret app -n {EsoServiceAccount.Namespace} -o jsonpath={{.data.password}}")).Out.Trim() == Convert.ToBase64String("p4ss"u8.ToArray()),
                "the Secret is written through a Kubernetes login", TimeSpan.FromSeconds(60));
            Assert.Equal("True", (await kubectl.RunAsync($"get secretstore vault -n {EsoServiceAccount.Namespace} -o jsonpath={{.status.conditions[0].status}}")).Out.Trim());
        }
        finally
        {
            controller.Kill(true);
            await controller.WaitForExitAsync();
            try
            {
                Directory.Delete(root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
