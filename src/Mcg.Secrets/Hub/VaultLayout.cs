namespace Mcg.Secrets.Hub;

/// <summary>
/// The validated patterns' Vault layout: kv-v2 at <c>secret/</c>; <c>secret/global/*</c> readable by every cluster,
/// <c>secret/hub/*</c> by the hub only, <c>secret/&lt;cluster&gt;/*</c> by that cluster only, <c>secret/pushsecrets/*</c>
/// read-write for all. Each cluster (and the hub) has a Kubernetes auth mount named after it, a role
/// <c>&lt;name&gt;-role</c> and a policy <c>&lt;name&gt;-secret</c>.
/// </summary>
public static class VaultLayout
{
    public const string KvMount = "secret";
    public const string HubMount = "hub";
    public const string RoleTokenTtl = "15m";

    /// <summary>Names a cluster cannot take: they are the hub's own mount or Vault's built-in paths.</summary>
    public static readonly IReadOnlySet<string> ReservedMounts = new HashSet<string>(StringComparer.Ordinal) { HubMount, "token", "sys", "cubbyhole", "identity", KvMount, "global", "pushsecrets" };

    public static string Role(string mount) => $"{mount}-role";

    public static string Policy(string mount) => $"{mount}-secret";

    /// <summary>The HCL policy of a cluster (or of the hub): global and its own folder read-only, pushsecrets read-write.</summary>
    public static string PolicyHcl(string mount) => $$"""
        path "{{KvMount}}/data/global/*" {
          capabilities = ["read"]
        }
        path "{{KvMount}}/metadata/global/*" {
          capabilities = ["read", "list"]
        }
        path "{{KvMount}}/data/{{mount}}/*" {
          capabilities = ["read"]
        }
        path "{{KvMount}}/metadata/{{mount}}/*" {
          capabilities = ["read", "list"]
        }
        path "{{KvMount}}/data/pushsecrets/*" {
          capabilities = ["create", "read", "update", "delete", "list", "patch"]
        }
        path "{{KvMount}}/metadata/pushsecrets/*" {
          capabilities = ["create", "read", "update", "delete", "list", "patch"]
        }
        """;
}
