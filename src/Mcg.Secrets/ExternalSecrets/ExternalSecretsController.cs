using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Secrets.ExternalSecrets;

public sealed class ExternalSecretsOptions
{
    /// <summary>Install the external-secrets.io CRDs first (skip when the real ESO's CRDs are already there).</summary>
    public bool InstallCrds { get; init; } = true;

    /// <summary>Concurrent ExternalSecret reconciles.</summary>
    public int Workers { get; init; } = 4;
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// The ExternalSecret controller of one cluster (what ESO's deployment runs): informers over ExternalSecrets,
/// SecretStores, ClusterSecretStores and the Secrets it manages; a store change or an edited Secret requeues the
/// ExternalSecrets concerned; each ExternalSecret requeues itself at its refreshInterval.
/// </summary>
public static class ExternalSecretsController
{
    public static async Task RunAsync(IKubeClient kube, ILoggerFactory loggers, ExternalSecretsOptions? options, CancellationToken ct)
    {
        options ??= new ExternalSecretsOptions();
        if (options.InstallCrds)
        {
            await EsoCrds.InstallAsync(kube, ct);
        }
        var informerLogger = loggers.CreateLogger<Informer>();
        var externalSecrets = new Informer(kube, EsoResources.ExternalSecrets, new InformerOptions(), informerLogger);
        var secretStores = new Informer(kube, EsoResources.SecretStores, new InformerOptions(), informerLogger);
        var clusterSecretStores = new Informer(kube, EsoResources.ClusterSecretStores, new InformerOptions(), informerLogger);
        var secrets = new Informer(kube, ResourceRef.Secrets, new InformerOptions { LabelSelector = $"{EsoResources.ManagedLabel}=true" }, informerLogger);
        using var clients = new VaultStoreClients(kube, options.Clock);
        var events = new EventRecorder(kube, options.Clock, loggers.CreateLogger<EventRecorder>());
        var controllerLogger = loggers.CreateLogger<KubeController>();

        var esController = new KubeController("externalsecret",
            new ExternalSecretReconciler(kube, externalSecrets, new StoreResolver(kube, secretStores, clusterSecretStores), clients, events,
                loggers.CreateLogger<ExternalSecretReconciler>(), options.Clock),
            new ControllerOptions { Workers = options.Workers }, controllerLogger);
        esController.Watch(externalSecrets);
        esController.Watch(secretStores, store => StoreResolver.UsersOf(externalSecrets, store));
        esController.Watch(clusterSecretStores, store => StoreResolver.UsersOf(externalSecrets, store));
        esController.Watch(secrets, secret => externalSecrets.List()
            .Where(es => es.Namespace() == secret.Namespace() && TargetName(es) == secret.Name())
            .Select(ObjectKeys.KeyOf));

        var storeController = new KubeController("secretstore",
            new SecretStoreReconciler(kube, secretStores, clients, events, loggers.CreateLogger<SecretStoreReconciler>(), options.Clock),
            new ControllerOptions(), controllerLogger);
        storeController.Watch(secretStores);
        var clusterStoreController = new KubeController("clustersecretstore",
            new SecretStoreReconciler(kube, clusterSecretStores, clients, events, loggers.CreateLogger<SecretStoreReconciler>(), options.Clock),
            new ControllerOptions(), controllerLogger);
        clusterStoreController.Watch(clusterSecretStores);

        await Task.WhenAll(
            externalSecrets.RunAsync(ct), secretStores.RunAsync(ct), clusterSecretStores.RunAsync(ct), secrets.RunAsync(ct),
            esController.RunAsync(ct), storeController.RunAsync(ct), clusterStoreController.RunAsync(ct));
    }

    private static string? TargetName(System.Text.Json.Nodes.JsonObject es) =>
        (es["spec"]?["target"] as System.Text.Json.Nodes.JsonObject)?.GetString("name") is { Length: > 0 } n ? n : es.Name();
}
