using System.Text.Json.Nodes;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Portworx;

/// <summary>
/// A StorageCluster's spec as the operator reads it (after SetPortworxDefaults): validated field by field, with the
/// drives each storage node gets. Errors name the field, e.g. <c>spec.cloudStorage.deviceSpecs[0]</c>.
/// </summary>
internal sealed record StorageClusterSpec(
    bool InternalKvdb,
    IReadOnlyList<long> CloudDrives,
    IReadOnlyList<string>? Devices,
    int? MaxStorageNodesPerZone,
    bool CsiEnabled,
    bool StorkEnabled,
    string Version,
    IReadOnlyList<string> Errors)
{
    private static readonly HashSet<string> SecretsProviders = ["k8s", "vault", "vault-transit", "aws-kms", "azure-kv", "ibm-kp", "google-kms", "kvdb", "docker", "dcos"];

    public static StorageClusterSpec Parse(JsonObject cluster)
    {
        var errors = new List<string>();
        var spec = cluster.Obj("spec") ?? [];
        var image = spec.Str("image");
        var version = image.Contains(':', StringComparison.Ordinal) ? image[(image.LastIndexOf(':') + 1)..] : "";
        if (image.Length > 0 && version.Length == 0)
        {
            errors.Add($"spec.image: \"{image}\" has no tag (expected portworx/oci-monitor:<version>)");
        }
        var kvdb = spec.Obj("kvdb");
        var endpoints = (kvdb?["endpoints"] as JsonArray)?.Select(e => e?.ToString() ?? "").ToList() ?? [];
        var internalKvdb = kvdb?.Bool("internal") == true || endpoints.Count == 0;
        if (kvdb?.Bool("internal") == true && endpoints.Count > 0)
        {
            errors.Add("spec.kvdb: internal and endpoints are mutually exclusive");
        }
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(endpoints[i], @"^(etcd|consul):(https?)://[^\s/]+(:\d+)?/?$"))
            {
                errors.Add($"spec.kvdb.endpoints[{i}]: \"{endpoints[i]}\" is not a kvdb endpoint such as etcd:http://etcd.example.com:2379");
            }
        }
        var storage = spec.Obj("storage");
        var cloud = spec.Obj("cloudStorage");
        if (storage is not null && cloud is not null)
        {
            errors.Add("spec: storage and cloudStorage are mutually exclusive");
        }
        var drives = new List<long>();
        if (cloud is not null)
        {
            var specs = cloud.At("deviceSpecs") as JsonArray;
            for (var i = 0; i < (specs?.Count ?? 0); i++)
            {
                var text = specs![i]?.ToString() ?? "";
                if (ParseDeviceSpec(text, out var size) is { } problem)
                {
                    errors.Add($"spec.cloudStorage.deviceSpecs[{i}]: \"{text}\": {problem}");
                }
                else
                {
                    drives.Add(size);
                }
            }
            if (cloud.Str("kvdbDeviceSpec") is { Length: > 0 } kvdbSpec && ParseDeviceSpec(kvdbSpec, out _) is { } kvdbProblem)
            {
                errors.Add($"spec.cloudStorage.kvdbDeviceSpec: \"{kvdbSpec}\": {kvdbProblem}");
            }
            if (drives.Count == 0 && errors.Count == 0)
            {
                drives.Add(150 * Sizes.Gi); // the operator's default cloud drive: type=gp2,size=150 (or the platform's equivalent)
            }
        }
        List<string>? devices = null;
        if (storage is not null && !storage.Bool("useAll") && !storage.Bool("useAllWithPartitions") && storage["devices"] is JsonArray list)
        {
            devices = [.. list.Select(d => d?.ToString() ?? "")];
            for (var i = 0; i < devices.Count; i++)
            {
                if (!devices[i].StartsWith("/dev/", StringComparison.Ordinal))
                {
                    errors.Add($"spec.storage.devices[{i}]: \"{devices[i]}\" is not a device path (/dev/...)");
                }
            }
        }
        if (spec.Str("secretsProvider") is { Length: > 0 } provider && !SecretsProviders.Contains(provider))
        {
            errors.Add($"spec.secretsProvider: unsupported value \"{provider}\": supported values: {string.Join(", ", SecretsProviders.Order(StringComparer.Ordinal))}");
        }
        foreach (var addon in new[] { "stork", "csi", "autopilot" })
        {
            if (spec[addon] is JsonNode node && (node is not JsonObject || (node["enabled"] is JsonNode e && e.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))))
            {
                errors.Add($"spec.{addon}.enabled: must be a boolean");
            }
        }
        var providers = spec.Obj("autopilot")?["providers"] as JsonArray;
        for (var i = 0; i < (providers?.Count ?? 0); i++)
        {
            if (providers![i]?.Str("type") is { } type && type != "prometheus")
            {
                errors.Add($"spec.autopilot.providers[{i}].type: unsupported provider type \"{type}\" (supported: prometheus)");
            }
        }
        int? perZone = cloud?.OptionalInt("maxStorageNodesPerZone") is { } z ? (int)z : null;
        if (perZone is < 0)
        {
            errors.Add("spec.cloudStorage.maxStorageNodesPerZone: must not be negative");
        }
        // Defaults (SetPortworxDefaults): Stork on unless disabled; CSI on in current operators unless disabled.
        var stork = spec.Obj("stork")?["enabled"] is not JsonNode s || s.GetValueKind() != System.Text.Json.JsonValueKind.False;
        var csi = spec.Obj("csi")?["enabled"] is not JsonNode c || c.GetValueKind() != System.Text.Json.JsonValueKind.False;
        return new StorageClusterSpec(internalKvdb, drives, devices, perZone, csi, stork, version.Length > 0 ? version : "3.0.3", errors);
    }

    /// <summary>Parses <c>type=gp3,size=150,iops=3000</c>; the size is in GiB.</summary>
    private static string? ParseDeviceSpec(string text, out long size)
    {
        size = 0;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                return $"\"{part}\" is not key=value";
            }
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            switch (key)
            {
                case "size":
                    if (!long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var gib) || gib <= 0)
                    {
                        return $"size \"{value}\" is not a positive number of GiB";
                    }
                    size = gib * Sizes.Gi;
                    break;
                case "type" or "iops" or "throughput" or "kms" or "encrypted" or "sku" or "tags" or "zone" or "diskType" or "disk_type" or "policy":
                    break;
                default:
                    return $"unknown key \"{key}\"";
            }
        }
        return size > 0 || text == "auto" ? null : "no size=<GiB>";
    }
}
