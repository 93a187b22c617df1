using System.Text.Json.Nodes;
using Mcg.Storage.Simulation;

namespace Mcg.Storage.Portworx;

/// <summary>
/// A Portworx volume's spec from its StorageClass parameters (openstorage api/spec handler): <c>repl</c> 1–3,
/// <c>io_profile</c>, <c>priority_io</c> (alias <c>io_priority</c>), <c>sharedv4</c>; RWX claims are sharedv4.
/// </summary>
internal sealed record VolumeParameters(int Repl, string IoProfile, string PriorityIo, bool Sharedv4, string Sharedv4ServiceType, bool Secure, string? Error)
{
    private static readonly HashSet<string> IoProfiles = ["db", "db_remote", "sequential", "random", "cms", "auto", "none", "sync_shared", "journal", "auto_journal"];
    private static readonly HashSet<string> Priorities = ["low", "medium", "high"];

    public static VolumeParameters Parse(JsonObject? parameters, JsonObject claim)
    {
        string P(string key) => parameters.Str(key);
        var replText = P("repl").Length > 0 ? P("repl") : "1";
        var error = (string?)null;
        if (!int.TryParse(replText, System.Globalization.CultureInfo.InvariantCulture, out var repl) || repl is < 1 or > 3)
        {
            error = $"invalid value for parameter repl: \"{replText}\": replication factor must be 1, 2 or 3";
            repl = 1;
        }
        var profile = P("io_profile").Length > 0 ? P("io_profile") : "auto";
        if (!IoProfiles.Contains(profile))
        {
            error ??= $"invalid value for parameter io_profile: \"{profile}\": must be one of {string.Join(", ", IoProfiles.Order(StringComparer.Ordinal))}";
        }
        var priority = (P("priority_io").Length > 0 ? P("priority_io") : P("io_priority").Length > 0 ? P("io_priority") : "low").ToLowerInvariant();
        if (!Priorities.Contains(priority))
        {
            error ??= $"invalid value for parameter priority_io: \"{priority}\": must be low, medium or high";
        }
        var rwx = (claim.At("spec", "accessModes") as JsonArray)?.Any(m => m?.ToString() == "ReadWriteMany") == true;
        var shared = P("sharedv4") == "true" || P("shared") == "true" || rwx;
        return new VolumeParameters(repl, profile, priority, shared, P("sharedv4_svc_type"), P("secure") == "true", error);
    }

    /// <summary>The volume attributes the CSI driver returns (what <c>pxctl volume inspect</c> shows in the PV).</summary>
    public JsonObject Attributes(string provisionerIdentity)
    {
        var attributes = new JsonObject
        {
            ["repl"] = Repl.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["io_profile"] = IoProfile,
            ["priority_io"] = PriorityIo,
            ["storage.kubernetes.io/csiProvisionerIdentity"] = provisionerIdentity,
        };
        if (Sharedv4)
        {
            attributes["sharedv4"] = "true";
            if (Sharedv4ServiceType.Length > 0)
            {
                attributes["sharedv4_svc_type"] = Sharedv4ServiceType;
            }
        }
        if (Secure)
        {
            attributes["secure"] = "true";
        }
        return attributes;
    }
}
