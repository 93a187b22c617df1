namespace Mcg.Secrets.Vault;

/// <summary>
/// The token auth method at <c>auth/token/</c>: create (and create-orphan), lookup(-self/-accessor), renew(-self/-accessor),
/// revoke(-self/-accessor) and the accessor list.
/// </summary>
public sealed class TokenBackend(TokenStore tokens, PolicyStore policies, TimeProvider clock) : IVaultBackend
{
    public Task<bool?> ExistsAsync(VaultRequest request, CancellationToken ct) => Task.FromResult<bool?>(null);

    public bool RequiresSudo(VaultRequest request) =>
        request.Relative is "accessors" or "accessors/" || request.Relative.StartsWith("revoke-orphan", StringComparison.Ordinal);

    public async Task<VaultResponse> HandleAsync(VaultRequest request, CancellationToken ct)
    {
        var caller = request.Token!;
        var now = clock.GetUtcNow();
        var write = request.Operation is VaultOperation.Create or VaultOperation.Update;
        var relative = request.Relative;
        switch (relative)
        {
            case "create" or "create-orphan" when write:
                return await CreateAsync(request, caller, relative == "create-orphan", ct);
            case "lookup-self" when request.Operation is VaultOperation.Read || write:
                return VaultResponse.Of(caller.ToLookupData(now));
            case "renew-self" when write:
                return await RenewAsync(caller, request, ct);
            case "revoke-self" when write:
                await tokens.RevokeAsync(caller.Id, ct);
                return VaultResponse.NoContent();
            case "lookup" when write:
                return VaultResponse.Of((await TargetAsync(request, ct)).ToLookupData(now));
            case "renew" when write:
                return await RenewAsync(await TargetAsync(request, ct), request, ct);
            case "revoke" when write:
                {
                    var token = request.String("token") ?? throw VaultException.BadRequest("missing token");
                    if (await tokens.LookupAsync(token, ct) is not null)
                    {
                        await tokens.RevokeAsync(token, ct);
                    }
                    return VaultResponse.NoContent();
                }
            case "lookup-accessor" when write:
                {
                    var entry = await tokens.LookupByAccessorAsync(request.String("accessor") ?? "", ct) ?? throw VaultException.BadRequest("invalid accessor");
                    var data = entry.ToLookupData(now);
                    data["id"] = "";
                    return VaultResponse.Of(data);
                }
            case "renew-accessor" when write:
                {
                    // As Vault: the answer's auth carries no client_token (the caller holds only the accessor).
                    var entry = await tokens.LookupByAccessorAsync(request.String("accessor") ?? "", ct) ?? throw VaultException.BadRequest("invalid accessor");
                    var renewed = await RenewAsync(entry, request, ct);
                    renewed.Auth!["client_token"] = "";
                    return renewed;
                }
            case "revoke-accessor" when write:
                {
                    var entry = await tokens.LookupByAccessorAsync(request.String("accessor") ?? "", ct) ?? throw VaultException.BadRequest("invalid accessor");
                    await tokens.RevokeAsync(entry.Id, ct);
                    return VaultResponse.NoContent();
                }
        }
        if (relative.StartsWith("lookup/", StringComparison.Ordinal) && request.Operation == VaultOperation.Read)
        {
            var entry = await tokens.LookupAsync(relative["lookup/".Length..], ct) ?? throw VaultException.BadRequest("bad token");
            return VaultResponse.Of(entry.ToLookupData(now));
        }
        throw relative is "create" or "create-orphan" or "lookup-self" or "renew-self" or "revoke-self" or "lookup" or "renew" or "revoke"
            or "lookup-accessor" or "renew-accessor" or "revoke-accessor"
            ? VaultException.UnsupportedOperation()
            : VaultException.NoHandler("auth/token/" + relative);
    }

    private async Task<TokenEntry> TargetAsync(VaultRequest request, CancellationToken ct)
    {
        var token = request.String("token");
        if (string.IsNullOrEmpty(token))
        {
            throw VaultException.BadRequest("missing token");
        }
        return await tokens.LookupAsync(token, ct) ?? throw VaultException.BadRequest("bad token");
    }

    private async Task<VaultResponse> RenewAsync(TokenEntry entry, VaultRequest request, CancellationToken ct)
    {
        var renewed = await tokens.RenewAsync(entry, request.Duration("increment"), ct);
        return new VaultResponse { Auth = renewed.ToAuth(clock.GetUtcNow()) };
    }

    private async Task<VaultResponse> CreateAsync(VaultRequest request, TokenEntry parent, bool orphanEndpoint, CancellationToken ct)
    {
        var parentAcl = await policies.AclForAsync(parent.Policies, ct);
        var privileged = parent.IsRoot || parentAcl.Allows("auth/token/create", VaultOperation.Update, sudo: true);
        var noParent = request.Bool("no_parent") ?? false;
        if (noParent && !orphanEndpoint && !privileged)
        {
            throw VaultException.BadRequest("root or sudo privileges required to create orphan token");
        }
        var type = request.String("type");
        if (type is not null and not "service" and not "default")
        {
            throw VaultException.BadRequest("only service tokens are supported by this server");
        }
        var requested = request.StringList("policies")?.Select(PolicyStore.Normalize).ToList();
        var noDefault = request.Bool("no_default_policy") ?? false;
        List<string> chosen;
        if (requested is null || requested.Count == 0)
        {
            chosen = parent.Policies.Where(p => !noDefault || p != AclPolicy.Default).ToList();
        }
        else
        {
            // As Vault's handleCreateCommon: only root or sudo on the create path may grant policies it does not hold.
            if (!privileged && requested.Any(p => p != AclPolicy.Default && !parent.Policies.Contains(p)))
            {
                throw VaultException.BadRequest("child policies must be subset of parent");
            }
            chosen = requested;
        }
        if (!noDefault && !chosen.Contains(AclPolicy.Root) && !chosen.Contains(AclPolicy.Default))
        {
            chosen.Add(AclPolicy.Default);
        }
        var warnings = new List<string>();
        foreach (var p in chosen.Where(p => p is not AclPolicy.Root and not AclPolicy.Default))
        {
            if (await policies.GetAsync(p, ct) is null)
            {
                warnings.Add($"Policy \"{p}\" does not exist");
            }
        }
        var ttl = request.Duration("ttl") ?? request.Duration("lease");
        var period = request.Duration("period") ?? TimeSpan.Zero;
        var isRootToken = chosen.Contains(AclPolicy.Root);
        var numUses = request.Int("num_uses") ?? 0;
        if (numUses < 0)
        {
            throw VaultException.BadRequest("number of uses cannot be negative");
        }
        var displayName = request.String("display_name");
        var entry = await tokens.CreateAsync(new TokenRequest
        {
            Policies = chosen,
            ParentId = noParent || orphanEndpoint ? null : parent.Id,
            Meta = request.StringMap("meta"),
            DisplayName = string.IsNullOrEmpty(displayName) ? "token" : "token-" + displayName,
            Path = "auth/token/" + (orphanEndpoint ? "create-orphan" : "create"),
            Ttl = ttl is { } t && t > TimeSpan.Zero ? t : isRootToken && period == TimeSpan.Zero ? null : TimeSpan.Zero,
            ExplicitMaxTtl = request.Duration("explicit_max_ttl") ?? TimeSpan.Zero,
            Period = period,
            NumUses = (int)numUses,
            Renewable = request.Bool("renewable") ?? true,
        }, ct);
        return new VaultResponse { Auth = entry.ToAuth(clock.GetUtcNow()), Warnings = warnings.Count > 0 ? warnings : null };
    }
}
