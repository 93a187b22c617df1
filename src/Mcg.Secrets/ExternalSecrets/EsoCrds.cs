using System.Text.Json.Nodes;
using Mcg.Kube.Client;

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
    public static async Task InstallAsync(IKubeClient client, CancellationToken ct)
    {
        var crds = All;
        foreach (var crd in crds)
        {
            await client.ApplyAsync(ResourceRef.CustomResourceDefinitions, crd, new ApplyOptions("mcg-external-secrets") { Force = true }, ct);
        }
        foreach (var crd in crds)
        {
            var name = crd["metadata"]!["name"]!.GetValue<string>();
            while ((await client.GetAsync(ResourceRef.CustomResourceDefinitions, null, name, ct))?["status"]?["conditions"] is not JsonArray conditions
                || !conditions.Any(c => c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True"))
            {
                await Task.Delay(100, ct);
            }
        }
    }

    private static JsonObject Crd(ResourceRef r, string[] shortNames, string[] categories, (string Name, string Type, string Path)[] columns)
    {
        var cols = new JsonArray(columns.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["jsonPath"] = c.Path }).ToArray());
        cols.Add(new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" });
        JsonArray Strings(IEnumerable<string> s) => new(s.Select(x => (JsonNode)x).ToArray());
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{r.Resource}.{r.Group}" },
            ["spec"] = new JsonObject
            {
                ["group"] = r.Group,
                ["scope"] = r.Namespaced ? "Namespaced" : "Cluster",
                ["names"] = new JsonObject
                {
                    ["plural"] = r.Resource,
                    ["singular"] = r.Kind.ToLowerInvariant(),
                    ["kind"] = r.Kind,
                    ["listKind"] = r.Kind + "List",
                    ["shortNames"] = Strings(shortNames),
                    ["categories"] = Strings(categories),
                },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = r.Version,
                    ["served"] = true,
                    ["storage"] = true,
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["additionalPrinterColumns"] = cols,
                }),
            },
        };
    }
}
