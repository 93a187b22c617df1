using Mcg.Kube.Client;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>The External Secrets Operator kinds, labels, annotations and condition reasons, spelled as upstream ESO spells them.</summary>
public static class EsoResources
{
    public const string Group = "external-secrets.io";
    public const string Version = "v1";

    public static readonly ResourceRef ExternalSecrets = new(Group, Version, "externalsecrets", "ExternalSecret", true);
    public static readonly ResourceRef SecretStores = new(Group, Version, "secretstores", "SecretStore", true);
    public static readonly ResourceRef ClusterSecretStores = new(Group, Version, "clustersecretstores", "ClusterSecretStore", false);

    /// <summary>The component ESO's controller reports its Events as.</summary>
    public const string EventComponent = "external-secrets";

    /// <summary>Set on every Secret the controller writes.</summary>
    public const string ManagedLabel = "reconcile.external-secrets.io/managed";

    /// <summary>Hash of the Secret's data as written; a different hash means someone changed the Secret.</summary>
    public const string DataHashAnnotation = "reconcile.external-secrets.io/data-hash";

    /// <summary>Changing its value (any value) forces a sync, because the ExternalSecret's metadata hash changes.</summary>
    public const string ForceSyncAnnotation = "force-sync";

    public const string ConditionReady = "Ready";
    public const string ReasonSecretSynced = "SecretSynced";
    public const string ReasonSecretSyncedError = "SecretSyncedError";
    public const string ReasonSecretDeleted = "SecretDeleted";
    public const string ReasonSecretMissing = "SecretMissing";

    public const string MessageSynced = "secret synced";
    public const string MessageProviderError = "could not get secret data from provider";
    public const string MessageDeleted = "secret deleted due to DeletionPolicy";
    public const string MessageMissing = "secret will not be created, creationPolicy is Merge and the target secret does not exist";

    public const string StoreReasonValid = "Valid";
    public const string StoreReasonInvalidProviderConfig = "InvalidProviderConfig";
    public const string StoreReasonInvalidStore = "InvalidStoreConfiguration";
    public const string StoreMessageValid = "store validated";
    public const string StoreMessageNoClient = "unable to create client";
}
