using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.Storage.Portworx;

/// <summary>
/// The CustomResourceDefinitions the <c>portworx-certified</c> operator's CSV owns: StorageCluster (<c>stc</c>) and
/// StorageNode (<c>sn</c>) in <c>core.libopenstorage.org/v1</c>, with their status subresources and printer columns.
/// </summary>
public static class PortworxCrds
{
    public static IReadOnlyList<JsonObject> All() =>
    [
        Crd("storageclusters", "StorageCluster", "stc", """
            - {name: Cluster Name, type: string, jsonPath: .status.clusterName, description: The name of the storage cluster}
            - {name: Cluster UUID, type: string, jsonPath: .status.clusterUid, description: The unique ID of the storage cluster}
            - {name: Status, type: string, jsonPath: .status.phase, description: The status of the storage cluster}
            - {name: Version, type: string, jsonPath: .status.version, description: The version of the storage cluster}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp, description: The age of the storage cluster}
            """),
        Crd("storagenodes", "StorageNode", "sn", """
            - {name: ID, type: string, jsonPath: .status.nodeUid, description: The corresponding Kubernetes node name for the storage node}
            - {name: Status, type: string, jsonPath: .status.phase, description: The current status of the storage node}
            - {name: Version, type: string, jsonPath: .spec.version, description: The version of the storage node}
            - {name: Storage-Capacity, type: string, jsonPath: .status.storage.totalSize, description: The total storage capacity of the node}
            - {name: Storage-Used, type: string, jsonPath: .status.storage.usedSize, description: The used storage on the node}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp, description: The age of the storage node}
            """),
    ];

    /// <summary>Creates the CRDs that do not exist yet (what installing the operator does).</summary>
    public static async Task InstallAsync(IKubeClient client, CancellationToken ct)
    {
        foreach (var crd in All())
        {
            if (await client.GetAsync(ResourceRef.CustomResourceDefinitions, null, crd.Name()!, ct) is null)
            {
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

    private static JsonObject Crd(string plural, string kind, string shortName, string columns) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = $"{plural}.core.libopenstorage.org" },
        ["spec"] = new JsonObject
        {
            ["group"] = "core.libopenstorage.org",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject
            {
                ["plural"] = plural,
                ["singular"] = kind.ToLowerInvariant(),
                ["kind"] = kind,
                ["listKind"] = kind + "List",
                ["shortNames"] = new JsonArray(shortName),
            },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1",
                ["served"] = true,
                ["storage"] = true,
                ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                ["additionalPrinterColumns"] = YamlJson.Parse(columns),
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                },
            }),
        },
    };
}
