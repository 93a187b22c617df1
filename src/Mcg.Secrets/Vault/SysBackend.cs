using System.Text;
using System.Text.Json.Nodes;

namespace Mcg.Secrets.Vault;

/// <summary>
/// The authenticated <c>sys/</c> endpoints: mounts and auth methods, the KV preflight (<c>internal/ui/mounts</c>), ACL and
/// password policies, capabilities, seal, audit and key rotation. The unauthenticated ones (health, seal-status, init,
/// unseal, leader) are answered by <see cref="VaultHttpHandler"/> before any token or seal check.
/// </summary>
public sealed class SysBackend(VaultCore core) : IVaultBackend
{
    private const string PasswordPolicyPrefix = "sys/password_policy/";

    public Task<bool?> ExistsAsync(VaultRequest request, CancellationToken ct) => Task.FromResult<bool?>(null);

    /// <summary>The KV preflight checks the caller's token itself (mount access), not the ACL of its own path.</summary>
    public bool IsUnauthenticated(VaultRequest request) => request.Relative.StartsWith("internal/ui/mounts/", StringComparison.Ordinal);

    /// <summary>Vault's root-protected system paths.</summary>
    public bool RequiresSudo(VaultRequest request)
    {
        var r = request.Relative;
        return r.StartsWith("auth/", StringComparison.Ordinal) || r is "seal" or "step-down" or "rotate" or "audit" or "raw"
            || r.StartsWith("audit/", StringComparison.Ordinal) || r.StartsWith("raw/", StringComparison.Ordinal);
    }

    public async Task<VaultResponse> HandleAsync(VaultRequest request, CancellationToken ct)
    {
        var r = request.Relative.TrimEnd('/');
        var op = request.Operation;
        var write = op is VaultOperation.Create or VaultOperation.Update;
        switch (r)
        {
            case "mounts" when op == VaultOperation.Read:
                return Table(core.Mounts.Mounts.Append(MountTable.System));
            case "auth" when op == VaultOperation.Read:
                return Table(core.Mounts.AuthMounts.Append(MountTable.TokenAuth));
            case "policies/acl" when op == VaultOperation.List:
            case "policy" when op is VaultOperation.Read or VaultOperation.List:
                {
                    var names = await core.Policies.ListAsync(ct);
                    var keys = new JsonArray(names.Select(n => (JsonNode)n).ToArray());
                    return new VaultResponse
                    {
                        Data = new JsonObject { ["keys"] = keys, ["policies"] = keys.DeepClone() },
                        Extra = r == "policy" ? new JsonObject { ["keys"] = keys.DeepClone(), ["policies"] = keys.DeepClone() } : null,
                    };
                }
            case "policies/password" when op == VaultOperation.List:
                return VaultResponse.Keys((await core.SecurityBarrier.ListAsync(PasswordPolicyPrefix, ct)).Where(k => !k.EndsWith('/')));
            case "capabilities-self" when write:
                return await CapabilitiesAsync(request, request.Token!, ct);
            case "capabilities" when write:
                return await CapabilitiesAsync(request, await core.Tokens.LookupAsync(request.String("token") ?? "", ct) ?? throw VaultException.BadRequest("invalid token"), ct);
            case "seal" when write:
                await core.SealAsync(ct);
                return VaultResponse.NoContent();
            case "audit" when op == VaultOperation.Read:
                return Audit();
            case "rotate" when write:
                await core.SecurityBarrier.RotateAsync(ct);
                return VaultResponse.NoContent();
            case "key-status" when op == VaultOperation.Read:
                return VaultResponse.Of(new JsonObject { ["term"] = core.SecurityBarrier.ActiveTerm, ["install_time"] = TokenEntry.Rfc3339(core.Clock.GetUtcNow()), ["encryptions"] = 0 });
        }
        if (Under(r, "mounts", out var mountPath))
        {
            return op switch
            {
                VaultOperation.Read => VaultResponse.Of((core.Mounts.Get(mountPath) ?? throw VaultException.BadRequest($"No secret engine mount at {MountTable.Normalize(mountPath)}")).ToJson()),
                VaultOperation.Create or VaultOperation.Update => await MountAsync(mountPath, request, ct),
                VaultOperation.Delete => await UnmountAsync(mountPath, auth: false, ct),
                _ => throw VaultException.UnsupportedOperation(),
            };
        }
        if (Under(r, "auth", out var authPath))
        {
            return op switch
            {
                VaultOperation.Read => VaultResponse.Of((core.Mounts.GetAuth(authPath) ?? throw VaultException.BadRequest($"No auth engine at {MountTable.Normalize(authPath)}")).ToJson()),
                VaultOperation.Create or VaultOperation.Update => await EnableAuthAsync(authPath, request, ct),
                VaultOperation.Delete => await UnmountAsync(authPath, auth: true, ct),
                _ => throw VaultException.UnsupportedOperation(),
            };
        }
        if (Under(r, "internal/ui/mounts", out var uiPath) && op == VaultOperation.Read)
        {
            return await PreflightAsync(uiPath, request, ct);
        }
        if (Under(r, "policies/acl", out var aclName))
        {
            return await AclPolicyAsync(aclName, request, legacy: false, ct);
        }
        if (Under(r, "policy", out var legacyName))
        {
            return await AclPolicyAsync(legacyName, request, legacy: true, ct);
        }
        if (Under(r, "policies/password", out var passwordName))
        {
            return await PasswordPolicyAsync(passwordName, request, ct);
        }
        if (Under(r, "audit-hash", out _) && write)
        {
            var input = request.String("input") ?? throw VaultException.BadRequest("the \"input\" parameter is empty");
            return VaultResponse.Of(new JsonObject { ["hash"] = core.Audit?.Hash(input) ?? throw VaultException.BadRequest("unknown audit backend") });
        }
        throw VaultException.NoHandler("sys/" + request.Relative);
    }

    private static bool Under(string path, string prefix, out string rest)
    {
        if (path.StartsWith(prefix + "/", StringComparison.Ordinal) && path.Length > prefix.Length + 1)
        {
            rest = path[(prefix.Length + 1)..];
            return true;
        }
        rest = "";
        return false;
    }

    private static VaultResponse Table(IEnumerable<MountEntry> entries)
    {
        var data = new JsonObject(entries.Select(m => KeyValuePair.Create(m.Path, (JsonNode?)m.ToJson())));
        return new VaultResponse { Data = data, Extra = (JsonObject)data.DeepClone() };
    }

    private async Task<VaultResponse> MountAsync(string path, VaultRequest request, CancellationToken ct)
    {
        var type = request.String("type") ?? throw VaultException.BadRequest("type must be specified");
        var options = request.StringMap("options") ?? [];
        if (type == "kv-v2")
        {
            type = "kv";
            options["version"] = "2";
        }
        if (type == "generic")
        {
            type = "kv";
        }
        if (type != "kv")
        {
            throw VaultException.BadRequest($"plugin not found in the catalog: {type}");
        }
        if (options.GetValueOrDefault("version", "1") != "2")
        {
            throw VaultException.BadRequest("only KV version 2 is supported by this server: set options {\"version\":\"2\"} or use type \"kv-v2\"");
        }
        await core.Mounts.MountAsync(path, type, request.String("description") ?? "", options, ct);
        return VaultResponse.NoContent();
    }

    private async Task<VaultResponse> EnableAuthAsync(string path, VaultRequest request, CancellationToken ct)
    {
        var type = request.String("type") ?? throw VaultException.BadRequest("type must be specified");
        if (type != "kubernetes")
        {
            throw VaultException.BadRequest($"plugin not found in the catalog: {type}");
        }
        await core.Mounts.EnableAuthAsync(path, type, request.String("description") ?? "", ct);
        return VaultResponse.NoContent();
    }

    private async Task<VaultResponse> UnmountAsync(string path, bool auth, CancellationToken ct)
    {
        await core.Mounts.UnmountAsync(path, auth, ct);
        core.Kv.ClearCache();
        return VaultResponse.NoContent();
    }

    /// <summary>The <c>vault kv</c> preflight: which mount serves a path, with its type and options.</summary>
    private async Task<VaultResponse> PreflightAsync(string path, VaultRequest request, CancellationToken ct)
    {
        var mount = core.Mounts.Find(path.EndsWith('/') ? path : path + "/");
        var token = request.Token ?? throw VaultException.Forbidden("permission denied");
        var acl = await core.Policies.AclForAsync(token.Policies, ct);
        if (mount is null || !HasAccessUnder(acl, mount.Path))
        {
            throw VaultException.Forbidden($"preflight capability check returned 403, please ensure client's policies grant access to path \"{path.TrimEnd('/')}/\"");
        }
        var data = mount.ToJson();
        data["path"] = mount.Path;
        return VaultResponse.Of(data);
    }

    private static bool HasAccessUnder(Acl acl, string mountPath) =>
        acl.IsRoot || new[] { "data/", "metadata/", "delete/", "undelete/", "destroy/", "subkeys/", "config", "" }
            .Any(section => acl.CapabilitiesOf(mountPath + section + "x") is not ["deny"] || acl.CapabilitiesOf(mountPath + section) is not ["deny"]);

    private async Task<VaultResponse> AclPolicyAsync(string name, VaultRequest request, bool legacy, CancellationToken ct)
    {
        switch (request.Operation)
        {
            case VaultOperation.Read:
                {
                    var policy = await core.Policies.GetAsync(name, ct) ?? throw VaultException.NotFound();
                    var data = new JsonObject { ["name"] = policy.Name, [legacy ? "rules" : "policy"] = policy.Text };
                    return new VaultResponse { Data = data, Extra = legacy ? (JsonObject)data.DeepClone() : null };
                }
            case VaultOperation.Create or VaultOperation.Update:
                {
                    var text = request.String("policy") ?? request.String("rules");
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        throw VaultException.BadRequest("'policy' parameter not supplied or empty");
                    }
                    await core.Policies.PutAsync(name, DecodeMaybeBase64(text), ct);
                    return VaultResponse.NoContent();
                }
            case VaultOperation.Delete:
                await core.Policies.DeleteAsync(name, ct);
                return VaultResponse.NoContent();
            default:
                throw VaultException.UnsupportedOperation();
        }
    }

    private async Task<VaultResponse> PasswordPolicyAsync(string name, VaultRequest request, CancellationToken ct)
    {
        var generate = name.EndsWith("/generate", StringComparison.Ordinal);
        if (generate)
        {
            name = name[..^"/generate".Length];
        }
        var path = PasswordPolicyPrefix + name;
        if (generate)
        {
            if (request.Operation != VaultOperation.Read)
            {
                throw VaultException.UnsupportedOperation();
            }
            var stored = await core.SecurityBarrier.GetAsync(path, ct) ?? throw VaultException.NotFound();
            return VaultResponse.Of(new JsonObject { ["password"] = PasswordPolicy.Parse(Encoding.UTF8.GetString(stored)).Generate() });
        }
        switch (request.Operation)
        {
            case VaultOperation.Read:
                {
                    var stored = await core.SecurityBarrier.GetAsync(path, ct) ?? throw VaultException.NotFound();
                    return VaultResponse.Of(new JsonObject { ["policy"] = Encoding.UTF8.GetString(stored) });
                }
            case VaultOperation.Create or VaultOperation.Update:
                {
                    var text = request.String("policy");
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        throw VaultException.BadRequest("missing policy");
                    }
                    text = DecodeMaybeBase64(text);
                    PasswordPolicy.Parse(text).Generate();
                    await core.SecurityBarrier.PutAsync(path, Encoding.UTF8.GetBytes(text), ct);
                    return VaultResponse.NoContent();
                }
            case VaultOperation.Delete:
                await core.SecurityBarrier.DeleteAsync(path, ct);
                return VaultResponse.NoContent();
            default:
                throw VaultException.UnsupportedOperation();
        }
    }

    private async Task<VaultResponse> CapabilitiesAsync(VaultRequest request, TokenEntry token, CancellationToken ct)
    {
        var paths = request.StringList("paths") ?? request.StringList("path") ?? [];
        if (paths.Count == 0)
        {
            throw VaultException.BadRequest("paths must be supplied");
        }
        var acl = await core.Policies.AclForAsync(token.Policies, ct);
        var data = new JsonObject();
        JsonArray? all = null;
        foreach (var p in paths)
        {
            var caps = new JsonArray(acl.CapabilitiesOf(p.TrimStart('/')).Select(c => (JsonNode)c).ToArray());
            all ??= (JsonArray)caps.DeepClone();
            data[p] = caps;
        }
        if (paths.Count == 1)
        {
            data["capabilities"] = all;
        }
        return new VaultResponse { Data = data, Extra = (JsonObject)data.DeepClone() };
    }

    private VaultResponse Audit()
    {
        var data = new JsonObject();
        if (core.Audit is { } audit)
        {
            data["file/"] = new JsonObject
            {
                ["type"] = "file",
                ["description"] = "",
                ["options"] = new JsonObject { ["file_path"] = audit.FilePath },
                ["local"] = false,
                ["path"] = "file/",
            };
        }
        return new VaultResponse { Data = data, Extra = (JsonObject)data.DeepClone() };
    }

    /// <summary>Vault accepts policy bodies base64-encoded; plain HCL never decodes as base64 (quotes, braces, spaces).</summary>
    private static string DecodeMaybeBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var n) ? Encoding.UTF8.GetString(buffer, 0, n) : text;
    }
}
