using System.Text.Json.Nodes;
using Mcg.ApiServer.Tests.Support;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Secrets.ExternalSecrets;

namespace Mcg.Secrets.Tests.ExternalSecrets;

/// <summary>
/// creationPolicy, deletionPolicy, templates, drift and force-sync against a real API server and a real Vault
/// (HTTPS, in process), with the controller running as it runs in an agent.
/// </summary>
public sealed class ExternalSecretPolicyTests(EsoFixture eso) : IClassFixture<EsoFixture>
{
    private static string Es(string name, string spec, string interval = "1s") => $$"""
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: {{name}}, namespace: {{EsoFixture.Namespace}}}
        spec:
          refreshInterval: {{interval}}
          secretStoreRef: {name: vault, kind: SecretStore}
        {{spec}}
        """;

    [Fact]
    public async Task OwnerCreatesAnOwnedSecretFromTheTemplateAndReportsEsoStatus()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/db", new JsonObject { ["user"] = "app", ["password"] = "s3cret", ["nested"] = new JsonObject { ["port"] = 5432 } });
        await eso.ApplyAsync(Es("db", """
              target:
                name: db-credentials
                template:
                  type: kubernetes.io/basic-auth
                  metadata:
                    labels: {app: db}
                  data:
                    username: "{{ .user }}"
                    password: "{{ .password | upper }}"
                    url: 'postgres://{{ .user }}:{{ index . "password" }}@db:{{ .port }}/app'
              data:
              - secretKey: user
                remoteRef: {key: secret/data/apps/db, property: user}
              - secretKey: password
                remoteRef: {key: apps/db, property: password}
              - secretKey: port
                remoteRef: {key: apps/db, property: nested.port}
            """));
        var es = await eso.WaitForReadyAsync("db", "True", EsoResources.ReasonSecretSynced);
        var secret = (await eso.GetAsync(ResourceRef.Secrets, "db-credentials"))!;
        Assert.Equal(new Dictionary<string, string> { ["username"] = "app", ["password"] = "S3CRET", ["url"] = "postgres://app:s3cret@db:5432/app" }, await eso.SecretDataAsync("db-credentials"));
        Assert.Equal("kubernetes.io/basic-auth", secret.GetString("type"));
        Assert.Equal("db", secret.Labels()["app"]);
        Assert.Equal("true", secret.Labels()[EsoResources.ManagedLabel]);
        Assert.Equal(GoObjectHash.OfData(ExternalSecretReconciler.SecretData(secret)), secret.Annotations()[EsoResources.DataHashAnnotation]);
        var owner = Assert.Single(secret.Metadata()["ownerReferences"]!.AsArray());
        Assert.Equal(es.Uid(), owner!["uid"]!.GetValue<string>());
        Assert.True(owner["controller"]!.GetValue<bool>());

        var status = es["status"]!;
        var condition = Assert.Single(status["conditions"]!.AsArray())!;
        Assert.Equal(EsoResources.MessageSynced, condition["message"]!.GetValue<string>());
        Assert.Equal("db-credentials", status["binding"]!["name"]!.GetValue<string>());
        Assert.Equal(ExternalSecretReconciler.SyncedResourceVersion(es), status["syncedResourceVersion"]!.GetValue<string>());
        Assert.Matches(@"^1-[0-9a-f]{32}$", status["syncedResourceVersion"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(status["refreshTime"]!.GetValue<string>(), out _));

        // kubectl shows ESO's printer columns.
        var table = (await eso.Kubectl.RunAsync($"get es db -n {EsoFixture.Namespace}")).Ok().Out;
        Assert.Contains("SecretSynced", table);
    }

    [Fact]
    public async Task OrphanLeavesNoOwnerAndDriftIsRepaired()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/orphan", new JsonObject { ["token"] = "abc" });
        await eso.ApplyAsync(Es("orphan", """
              target: {creationPolicy: Orphan}
              dataFrom:
              - extract: {key: apps/orphan}
            """));
        await eso.WaitForReadyAsync("orphan", "True", EsoResources.ReasonSecretSynced);
        var secret = (await eso.GetAsync(ResourceRef.Secrets, "orphan"))!;
        Assert.Null(secret.Metadata()["ownerReferences"]);
        // Someone edits the Secret: the data no longer matches the hash, the controller writes it back.
        await eso.Kube.PatchAsync(ResourceRef.Secrets, EsoFixture.Namespace, "orphan", PatchType.Merge,
            new JsonObject { ["data"] = new JsonObject { ["token"] = Convert.ToBase64String("tampered"u8.ToArray()) } });
        await Eventually.TrueAsync(async () => (await eso.SecretDataAsync("orphan"))?["token"] == "abc", "the edited Secret is restored", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task MergeWaitsForTheSecretThenKeepsItsOtherKeys()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/merge", new JsonObject { ["added"] = "from-vault" });
        await eso.ApplyAsync(Es("merge", """
              target: {name: existing, creationPolicy: Merge}
              data:
              - secretKey: added
                remoteRef: {key: apps/merge, property: added}
            """));
        await eso.WaitForReadyAsync("merge", "False", EsoResources.ReasonSecretMissing);
        Assert.Null(await eso.GetAsync(ResourceRef.Secrets, "existing"));
        await eso.ApplyAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: existing, namespace: {{EsoFixture.Namespace}}}
            stringData: {kept: "mine"}
            """);
        await eso.WaitForReadyAsync("merge", "True", EsoResources.ReasonSecretSynced);
        Assert.Equal(new Dictionary<string, string> { ["kept"] = "mine", ["added"] = "from-vault" }, await eso.SecretDataAsync("existing"));
        Assert.Null((await eso.GetAsync(ResourceRef.Secrets, "existing"))!.Metadata()["ownerReferences"]);
    }

    [Fact]
    public async Task NoneNeverWritesASecret()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/none", new JsonObject { ["k"] = "v" });
        await eso.ApplyAsync(Es("none", """
              target: {name: never, creationPolicy: None}
              dataFrom:
              - extract: {key: apps/none}
            """));
        await eso.WaitForReadyAsync("none", "True", EsoResources.ReasonSecretSynced);
        Assert.Null(await eso.GetAsync(ResourceRef.Secrets, "never"));
    }

    [Fact]
    public async Task RetainKeepsTheSecretWhenTheRemoteKeyGoesAndDeleteRemovesIt()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/retained", new JsonObject { ["k"] = "kept" });
        await eso.Vault.KvWriteAsync("secret", "apps/deleted", new JsonObject { ["k"] = "gone" });
        await eso.ApplyAsync(Es("retained", """
              dataFrom:
              - extract: {key: apps/retained}
            """));
        await eso.ApplyAsync(Es("deleted", """
              target: {deletionPolicy: Delete}
              dataFrom:
              - extract: {key: apps/deleted}
            """));
        await eso.WaitForReadyAsync("retained", "True", EsoResources.ReasonSecretSynced);
        await eso.WaitForReadyAsync("deleted", "True", EsoResources.ReasonSecretSynced);
        await eso.Vault.KvDeleteMetadataAsync("secret", "apps/retained");
        await eso.Vault.KvDeleteAsync("secret", "apps/deleted");

        var retained = await eso.WaitForReadyAsync("retained", "False", EsoResources.ReasonSecretSyncedError);
        Assert.Equal(EsoResources.MessageProviderError, retained["status"]!["conditions"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("kept", (await eso.SecretDataAsync("retained"))!["k"]);

        await eso.WaitForReadyAsync("deleted", "True", EsoResources.ReasonSecretDeleted);
        await Eventually.TrueAsync(async () => await eso.GetAsync(ResourceRef.Secrets, "deleted") is null, "the Secret is deleted", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ForceSyncAnnotationRefreshesBeforeTheInterval()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/once", new JsonObject { ["v"] = "1" });
        await eso.ApplyAsync(Es("once", """
              dataFrom:
              - extract: {key: apps/once}
            """, interval: "1h"));
        await eso.WaitForReadyAsync("once", "True", EsoResources.ReasonSecretSynced);
        await eso.Vault.KvWriteAsync("secret", "apps/once", new JsonObject { ["v"] = "2" });
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("1", (await eso.SecretDataAsync("once"))!["v"]);
        await eso.Kube.PatchAsync(EsoResources.ExternalSecrets, EsoFixture.Namespace, "once", PatchType.Merge,
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [EsoResources.ForceSyncAnnotation] = DateTime.UtcNow.ToString("O") } } });
        await Eventually.TrueAsync(async () => (await eso.SecretDataAsync("once"))?["v"] == "2", "the forced sync writes the new value", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnInvalidSpecNamesTheField()
    {
        await eso.ApplyAsync(Es("invalid", """
              target: {creationPolicy: Merge, deletionPolicy: Delete}
              dataFrom:
              - extract: {key: apps/x}
            """));
        await eso.WaitForReadyAsync("invalid", "False", EsoResources.ReasonSecretSyncedError);
        var events = (await eso.Kubectl.RunAsync($"get events -n {EsoFixture.Namespace} --field-selector involvedObject.name=invalid -o jsonpath={{.items[*].message}}")).Ok().Out;
        Assert.Contains("spec.target.deletionPolicy", events);
    }

    [Fact]
    public async Task DeletingAnOwnerExternalSecretGarbageCollectsItsSecret()
    {
        await eso.Vault.KvWriteAsync("secret", "apps/owned", new JsonObject { ["k"] = "v" });
        await eso.ApplyAsync(Es("owned", """
              dataFrom:
              - extract: {key: apps/owned}
            """));
        await eso.WaitForReadyAsync("owned", "True", EsoResources.ReasonSecretSynced);
        Assert.NotNull(await eso.GetAsync(ResourceRef.Secrets, "owned"));
        (await eso.Kubectl.RunAsync($"delete externalsecret owned -n {EsoFixture.Namespace}")).Ok();
        await Eventually.TrueAsync(async () => await eso.GetAsync(ResourceRef.Secrets, "owned") is null, "the owned Secret is garbage-collected", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task StoresReportReadinessAndCapabilities()
    {
        var store = (await eso.GetAsync(EsoResources.SecretStores, "vault"))!;
        Assert.Equal("ReadWrite", store["status"]!["capabilities"]!.GetValue<string>());
        var ready = store["status"]!["conditions"]![0]!;
        Assert.Equal(EsoResources.StoreReasonValid, ready["reason"]!.GetValue<string>());
        Assert.Equal(EsoResources.StoreMessageValid, ready["message"]!.GetValue<string>());

        // A token Vault does not know: the store cannot create a client.
        await eso.ApplyAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: bad-token, namespace: {{EsoFixture.Namespace}}}
            stringData: {token: hvs.not-a-token}
            ---
            apiVersion: external-secrets.io/v1
            kind: SecretStore
            metadata: {name: bad, namespace: {{EsoFixture.Namespace}}}
            spec:
              provider:
                vault:
                  server: {{store["spec"]!["provider"]!["vault"]!["server"]!.GetValue<string>()}}
                  path: secret
                  caProvider: {type: ConfigMap, name: vault-ca, key: ca.crt}
                  auth:
                    tokenSecretRef: {name: bad-token, key: token}
            """);
        await eso.ApplyAsync(Es("denied", """
              dataFrom:
              - extract: {key: apps/anything}
            """).Replace("name: vault, kind: SecretStore", "name: bad, kind: SecretStore", StringComparison.Ordinal));
        await eso.WaitForReadyAsync("denied", "False", EsoResources.ReasonSecretSyncedError);
        var events = (await eso.Kubectl.RunAsync($"get events -n {EsoFixture.Namespace} --field-selector involvedObject.name=denied -o jsonpath={{.items[*].message}}")).Ok().Out;
        Assert.Contains("403", events);
    }

    [Fact]
    public async Task ClusterSecretStoreConditionsLimitTheNamespaces()
    {
        var server = (await eso.GetAsync(EsoResources.SecretStores, "vault"))!["spec"]!["provider"]!["vault"]!["server"]!.GetValue<string>();
        await eso.Vault.KvWriteAsync("secret", "apps/cluster-wide", new JsonObject { ["k"] = "v" });
        await eso.ApplyAsync($$"""
            apiVersion: external-secrets.io/v1
            kind: ClusterSecretStore
            metadata: {name: elsewhere-only}
            spec:
              conditions:
              - namespaces: [elsewhere]
              provider:
                vault:
                  server: {{server}}
                  path: secret
                  caProvider: {type: ConfigMap, name: vault-ca, key: ca.crt, namespace: {{EsoFixture.Namespace}}}
                  auth:
                    tokenSecretRef: {name: vault-token, key: token, namespace: {{EsoFixture.Namespace}}}
            ---
            apiVersion: external-secrets.io/v1
            kind: ClusterSecretStore
            metadata: {name: apps-allowed}
            spec:
              conditions:
              - namespaces: [{{EsoFixture.Namespace}}]
              provider:
                vault:
                  server: {{server}}
                  path: secret
                  caProvider: {type: ConfigMap, name: vault-ca, key: ca.crt, namespace: {{EsoFixture.Namespace}}}
                  auth:
                    tokenSecretRef: {name: vault-token, key: token, namespace: {{EsoFixture.Namespace}}}
            """);
        await eso.ApplyAsync(Es("not-allowed", """
              dataFrom:
              - extract: {key: apps/cluster-wide}
            """).Replace("name: vault, kind: SecretStore", "name: elsewhere-only, kind: ClusterSecretStore", StringComparison.Ordinal));
        await eso.ApplyAsync(Es("allowed", """
              dataFrom:
              - extract: {key: apps/cluster-wide}
            """).Replace("name: vault, kind: SecretStore", "name: apps-allowed, kind: ClusterSecretStore", StringComparison.Ordinal));
        await eso.WaitForReadyAsync("allowed", "True", EsoResources.ReasonSecretSynced);
        await eso.WaitForReadyAsync("not-allowed", "False", EsoResources.ReasonSecretSyncedError);
        Assert.Null(await eso.GetAsync(ResourceRef.Secrets, "not-allowed"));
    }
}
