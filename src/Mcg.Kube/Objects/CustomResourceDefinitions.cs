using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Kube.Objects;

/// <summary>
/// CustomResourceDefinitions for kinds whose schema we do not enforce (<c>x-kubernetes-preserve-unknown-fields</c>),
/// with a status subresource and printer columns, and installing them when missing.
/// </summary>
public static class CustomResourceDefinitions
{
    public sealed record Column(string Name, string JsonPath, int Priority = 0, string Type = "string");

    public static JsonObject Build(ResourceRef resource, IReadOnlyList<string> shortNames, IReadOnlyList<Column> columns, IReadOnlyList<string>? categories = null)
    {
        var names = new JsonObject
        {
            ["plural"] = resource.Resource,
            ["singular"] = resource.Kind.ToLowerInvariant(),
            ["kind"] = resource.Kind,
            ["listKind"] = resource.Kind + "List",
            ["shortNames"] = new JsonArray(shortNames.Select(s => (JsonNode?)s).ToArray()),
        };
        if (categories is { Count: > 0 })
        {
            names["categories"] = new JsonArray(categories.Select(s => (JsonNode?)s).ToArray());
        }
        var version = new JsonObject
        {
            ["name"] = resource.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
            ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
        };
        if (columns.Count > 0)
        {
            version["additionalPrinterColumns"] = new JsonArray(columns
                .Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["jsonPath"] = c.JsonPath, ["priority"] = c.Priority })
                .Append(new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }).ToArray());
        }
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{resource.Resource}.{resource.Group}" },
            ["spec"] = new JsonObject
            {
                ["group"] = resource.Group,
                ["scope"] = resource.Namespaced ? "Namespaced" : "Cluster",
                ["names"] = names,
                ["versions"] = new JsonArray(version),
            },
        };
    }

    /// <summary>Server-side applies the CRDs (ours to own) and waits until each is Established.</summary>
    public static async Task ApplyAndWaitAsync(IKubeClient client, IEnumerable<JsonObject> crds, string fieldManager, CancellationToken ct)
    {
        var list = crds.ToList();
        foreach (var crd in list)
        {
            await client.ApplyAsync(ResourceRef.CustomResourceDefinitions, crd, new ApplyOptions(fieldManager) { Force = true }, ct);
        }
        foreach (var crd in list)
        {
            while ((await client.GetAsync(ResourceRef.CustomResourceDefinitions, null, crd.Name()!, ct))?["status"]?["conditions"] is not JsonArray conditions
                || !conditions.Any(c => c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True"))
            {
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>Creates the CRDs that do not exist yet; existing ones (maybe newer, from a real operator) are left alone.</summary>
    public static async Task InstallMissingAsync(IKubeClient client, IEnumerable<JsonObject> crds, CancellationToken ct)
    {
        foreach (var crd in crds)
        {
            if (await client.GetAsync(ResourceRef.CustomResourceDefinitions, null, crd.Name()!, ct) is not null)
            {
                continue;
            }
            try
            {
                await client.CreateAsync(ResourceRef.CustomResourceDefinitions, crd, null, ct);
            }
            catch (KubeApiException e) when (e.IsAlreadyExists)
            {
            }
        }
    }
}
