using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.Kube.Objects;

/// <summary>
/// CustomResourceDefinitions for kinds whose schema we do not enforce (<c>x-kubernetes-preserve-unknown-fields</c>),
/// with a status subresource and printer columns, and installing them when missing.
/// </summary>
public static class CustomResourceDefinitions
{
    public sealed record Column(string Name, string JsonPath, int Priority = 0, string Type = "string", string? Description = null);

    /// <summary>Options upstream CRDs differ in: Argo CD's have no status subresource and carry labels.</summary>
    public sealed record Shape
    {
        public IReadOnlyList<string> Categories { get; init; } = [];
        public bool StatusSubresource { get; init; } = true;
        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
        public string? AgeDescription { get; init; }
    }

    public static JsonObject Build(ResourceRef resource, IReadOnlyList<string> shortNames, IReadOnlyList<Column> columns, Shape? shape = null)
    {
        shape ??= new Shape();
        var categories = shape.Categories;
        var names = new JsonObject
        {
            ["plural"] = resource.Resource,
            ["singular"] = resource.Kind.ToLowerInvariant(),
            ["kind"] = resource.Kind,
            ["listKind"] = resource.Kind + "List",
            ["shortNames"] = new JsonArray(shortNames.Select(s => (JsonNode?)s).ToArray()),
        };
        if (categories.Count > 0)
        {
            names["categories"] = new JsonArray(categories.Select(s => (JsonNode?)s).ToArray());
        }
        var version = new JsonObject
        {
            ["name"] = resource.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
        };
        if (shape.StatusSubresource)
        {
            version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
        }
        if (columns.Count > 0)
        {
            version["additionalPrinterColumns"] = new JsonArray(columns.Append(new Column("Age", ".metadata.creationTimestamp", Type: "date", Description: shape.AgeDescription))
                .Select(c => (JsonNode)PrinterColumn(c)).ToArray());
        }
        var metadata = new JsonObject { ["name"] = $"{resource.Resource}.{resource.Group}" };
        if (shape.Labels.Count > 0)
        {
            metadata["labels"] = new JsonObject(shape.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["group"] = resource.Group,
                ["scope"] = resource.Namespaced ? "Namespaced" : "Cluster",
                ["names"] = names,
                ["versions"] = new JsonArray(version),
            },
        };
    }

    private static JsonObject PrinterColumn(Column c)
    {
        var column = new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["jsonPath"] = c.JsonPath };
        if (c.Priority != 0)
        {
            column["priority"] = c.Priority;
        }
        if (c.Description is not null)
        {
            column["description"] = c.Description;
        }
        return column;
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
