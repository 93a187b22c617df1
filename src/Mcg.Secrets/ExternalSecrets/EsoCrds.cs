using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// The <c>external-secrets.io/v1</c> CRDs the controller serves (upstream names, short names, scopes and printer
/// columns), so existing ESO manifests apply unchanged. Schemas are open; the controller validates what it reads.
/// </summary>
public static class EsoCrds
{
    public static IReadOnlyList<JsonObject> All =>
    [
        Crd(EsoResources.ExternalSecrets, ["es"], ["external-secrets", "external-secrets-vault"],
        [
            ("StoreType", "string", ".spec.secretStoreRef.kind"),
            ("Store", "string", ".spec.secretStoreRef.name"),
            ("Refresh Interval", "string", ".spec.refreshInterval"),
            ("Status", "string", ".status.conditions[?(@.type==\"Ready\")].reason"),
            ("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
        ]),
        Crd(EsoResources.SecretStores, ["ss"], ["external-secrets"],
        [
            ("Status", "string", ".status.conditions[?(@.type==\"Ready\")].reason"),
            ("Capabilities", "string", ".status.capabilities"),
            ("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
        ]),
        Crd(EsoResources.ClusterSecretStores, ["css"], ["external-secrets"],
        [
            ("Status", "string", ".status.conditions[?(@.type==\"Ready\")].reason"),
            ("Capabilities", "string", ".status.capabilities"),
            ("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
        ]),
    ];

    /// <summary>Applies the CRDs and waits until each is Established.</summary>
    public static Task InstallAsync(IKubeClient client, CancellationToken ct) =>
        CustomResourceDefinitions.ApplyAndWaitAsync(client, All, "mcg-external-secrets", ct);

    private static JsonObject Crd(ResourceRef r, string[] shortNames, string[] categories, (string Name, string Type, string Path)[] columns) =>
        CustomResourceDefinitions.Build(r, shortNames, columns.Select(c => new CustomResourceDefinitions.Column(c.Name, c.Path, Type: c.Type)).ToList(), new() { Categories = categories });
}
