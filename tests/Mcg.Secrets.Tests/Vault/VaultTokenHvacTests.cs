using System.Text.Json.Nodes;

namespace Mcg.Secrets.Tests.Vault;

/// <summary>Tokens, ACL policies and the HTTP error shapes, through python3-hvac and curl.</summary>
[Collection("vault")]
public sealed class VaultTokenHvacTests(VaultFixture vault) : IClassFixture<VaultFixture>
{
    [Fact]
    public async Task PolicyScopedTokenIsDeniedOutsideItsPolicy()
    {
        (await vault.HvacAsync("""
            kv = client.secrets.kv.v2
            kv.create_or_update_secret(path="global/config-demo", secret={"secret": "global-value"})
            kv.create_or_update_secret(path="hub/only", secret={"secret": "hub-value"})
            client.sys.create_or_update_policy(name="global-secret", policy='''
            path "secret/data/global/*" {
              capabilities = ["read"]
            }
            path "secret/metadata/global/*" {
              capabilities = ["read", "list"]
            }
            ''')
            assert "global-secret" in client.sys.list_policies()["data"]["policies"]
            assert 'path "secret/data/global/*"' in client.sys.read_policy(name="global-secret")["data"]["rules"]
            assert "secret/data/global" in client.adapter.get("/v1/sys/policies/acl/global-secret")["data"]["policy"]
            created = client.auth.token.create(policies=["global-secret"], ttl="1h", meta={"cluster": "spoke-1"}, display_name="eso")
            auth = created["auth"]
            assert auth["policies"] == ["default", "global-secret"] and auth["lease_duration"] == 3600 and auth["renewable"] is True, auth
            assert auth["client_token"].startswith("hvs.") and auth["token_type"] == "service" and auth["orphan"] is False, auth
            scoped = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=auth["client_token"])
            assert scoped.secrets.kv.v2.read_secret_version(path="global/config-demo")["data"]["data"]["secret"] == "global-value"
            assert scoped.secrets.kv.v2.list_secrets(path="global")["data"]["keys"] == ["config-demo"]
            for call in (lambda: scoped.secrets.kv.v2.read_secret_version(path="hub/only"),
                         lambda: scoped.secrets.kv.v2.create_or_update_secret(path="global/config-demo", secret={"x": "y"}),
                         lambda: scoped.sys.list_mounted_secrets_engines()):
                try:
                    call()
                    raise AssertionError("denied call succeeded")
                except exceptions.Forbidden as e:
                    assert "permission denied" in str(e), str(e)
            raw = requests.get(os.environ["VAULT_ADDR"] + "/v1/secret/data/hub/only", headers={"X-Vault-Token": auth["client_token"]}, verify=os.environ["VAULT_CACERT"])
            assert raw.status_code == 403 and raw.json() == {"errors": ["1 error occurred:\n\t* permission denied\n\n"]}, raw.text

            me = scoped.auth.token.lookup_self()["data"]
            assert me["type"] == "service" and isinstance(me["ttl"], int) and 3590 <= me["ttl"] <= 3600, me
            assert me["expire_time"] is not None and me["creation_ttl"] == 3600 and me["renewable"] is True, me
            assert me["policies"] == ["default", "global-secret"] and me["meta"] == {"cluster": "spoke-1"}, me
            assert me["display_name"] == "token-eso" and me["path"] == "auth/token/create" and me["accessor"] == auth["accessor"], me
            root = client.auth.token.lookup_self()["data"]
            assert root["policies"] == ["root"] and root["ttl"] == 0 and root["expire_time"] is None and root["path"] == "auth/token/root", root
            renewed = scoped.auth.token.renew_self(increment="2h")["auth"]
            assert 7190 <= renewed["lease_duration"] <= 7200, renewed
            assert client.auth.token.lookup(token=auth["client_token"])["data"]["id"] == auth["client_token"]
            scoped.auth.token.revoke_self()
            try:
                scoped.auth.token.lookup_self()
                raise AssertionError("revoked token still valid")
            except exceptions.Forbidden:
                pass
            print("ok")
            """)).EnsureSuccess("policy-scoped token");
    }

    [Fact]
    public async Task ChildTokensDieWithTheirParentButOrphansDoNot()
    {
        (await vault.HvacAsync("""
            client.sys.create_or_update_policy(name="token-maker", policy='path "auth/token/create" { capabilities = ["update"] }')
            parent = client.auth.token.create(policies=["token-maker"], ttl="1h")["auth"]["client_token"]
            p = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=parent)
            child = p.auth.token.create(ttl="30m")["auth"]["client_token"]
            grandchild = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=child).auth.token.create(ttl="10m")["auth"]["client_token"]
            orphan = client.auth.token.create(policies=["default"], ttl="1h", no_parent=True)["auth"]
            assert orphan["orphan"] is True, orphan
            try:
                p.auth.token.create(policies=["root"])
                raise AssertionError("policy escalation accepted")
            except exceptions.InvalidRequest as e:
                assert "child policies must be subset of parent" in str(e), str(e)
            try:
                p.auth.token.create(no_parent=True)
                raise AssertionError("orphan by non-root accepted")
            except exceptions.InvalidRequest as e:
                assert "root or sudo privileges required to create orphan token" in str(e), str(e)
            client.auth.token.revoke(token=parent)
            for t in (parent, child, grandchild):
                try:
                    hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=t).auth.token.lookup_self()
                    raise AssertionError("descendant survived")
                except exceptions.Forbidden:
                    pass
            assert hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=orphan["client_token"]).auth.token.lookup_self()["data"]["orphan"] is True

            # num_uses: a 2-use token works twice, then is gone.
            limited = client.auth.token.create(policies=["default"], num_uses=2)["auth"]["client_token"]
            l = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=limited)
            assert l.auth.token.lookup_self()["data"]["num_uses"] == 1
            l.auth.token.lookup_self()
            try:
                l.auth.token.lookup_self()
                raise AssertionError("token outlived num_uses")
            except exceptions.Forbidden:
                pass
            print("ok")
            """)).EnsureSuccess("token tree");
    }

    /// <summary>
    /// What <c>mcg install --vault-addr</c> does with a management token that is not root: sudo on
    /// <c>auth/token/create</c> lets it grant a cluster's policy it does not hold itself, as an orphan periodic token it
    /// later renews and revokes by accessor only.
    /// </summary>
    [Fact]
    public async Task SudoCallerCreatesOrphanPeriodicTokensWithForeignPoliciesAndManagesThemByAccessor()
    {
        (await vault.HvacAsync("""
            client.sys.create_or_update_policy(name="spoke-a-secret", policy='path "secret/data/spoke-a/*" { capabilities = ["read"] }')
            client.sys.create_or_update_policy(name="plain-maker", policy='path "auth/token/create" { capabilities = ["update"] }')
            client.sys.create_or_update_policy(name="token-admin", policy='''
            path "auth/token/create" { capabilities = ["create", "update", "sudo"] }
            path "auth/token/lookup-accessor" { capabilities = ["update"] }
            path "auth/token/renew-accessor" { capabilities = ["update"] }
            path "auth/token/revoke-accessor" { capabilities = ["update"] }
            ''')
            admin = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"],
                token=client.auth.token.create(policies=["token-admin"], ttl="1h")["auth"]["client_token"])
            plain = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"],
                token=client.auth.token.create(policies=["plain-maker"], ttl="1h")["auth"]["client_token"])
            try:
                plain.auth.token.create(policies=["spoke-a-secret"])
                raise AssertionError("a caller without sudo granted a policy it does not hold")
            except exceptions.InvalidRequest as e:
                assert "child policies must be subset of parent" in str(e), str(e)

            auth = admin.auth.token.create(policies=["spoke-a-secret"], no_parent=True, period="24h", display_name="mcg-spoke-a",
                meta={"cluster": "spoke-a"})["auth"]
            assert auth["policies"] == ["default", "spoke-a-secret"] and auth["orphan"] is True, auth
            assert auth["lease_duration"] == 86400 and auth["renewable"] is True, auth
            accessor = auth["accessor"]
            seen = admin.auth.token.lookup_accessor(accessor)["data"]
            assert seen["id"] == "" and seen["period"] == 86400 and seen["meta"] == {"cluster": "spoke-a"}, seen
            assert seen["policies"] == ["default", "spoke-a-secret"] and seen["display_name"] == "token-mcg-spoke-a", seen
            # A periodic token ignores the increment: a renewal gives it its period again.
            renewed = admin.auth.token.renew_accessor(accessor, increment="1h")["auth"]
            assert renewed["client_token"] == "" and renewed["accessor"] == accessor and 86390 <= renewed["lease_duration"] <= 86400, renewed
            scoped = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=auth["client_token"])
            assert scoped.auth.token.lookup_self()["data"]["period"] == 86400

            # Revoking the management token leaves the orphan alive; revoke-accessor ends it.
            client.auth.token.revoke_accessor(admin.auth.token.lookup_self()["data"]["accessor"])
            assert scoped.auth.token.lookup_self()["data"]["orphan"] is True
            client.auth.token.revoke_accessor(accessor)
            try:
                scoped.auth.token.lookup_self()
                raise AssertionError("revoked token still valid")
            except exceptions.Forbidden:
                pass
            for call in (lambda: client.auth.token.lookup_accessor(accessor), lambda: client.auth.token.renew_accessor(accessor)):
                try:
                    call()
                    raise AssertionError("a revoked accessor answered")
                except exceptions.InvalidRequest as e:
                    assert "invalid accessor" in str(e), str(e)
            print("ok")
            """)).EnsureSuccess("token management by accessor");
    }

    [Fact]
    public async Task ShortLivedTokensExpire()
    {
        (await vault.HvacAsync("""
            import time
            t = client.auth.token.create(policies=["default"], ttl="2s")["auth"]["client_token"]
            c = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"], token=t)
            assert c.auth.token.lookup_self()["data"]["ttl"] <= 2
            time.sleep(3)
            try:
                c.auth.token.lookup_self()
                raise AssertionError("expired token accepted")
            except exceptions.Forbidden:
                pass
            print("ok")
            """)).EnsureSuccess("token expiry");
    }

    [Fact]
    public async Task CurlSeesVaultsStatusCodesAndBodies()
    {
        var (status, body) = await vault.CurlAsync("GET", "secret/data/does/not/exist", vault.RootToken);
        Assert.Equal(404, status);
        Assert.Equal("""{"errors":[]}""", body);

        (status, body) = await vault.CurlAsync("GET", "secret/data/anything");
        Assert.Equal(403, status);
        Assert.Equal("""{"errors":["permission denied"]}""", body);

        (status, body) = await vault.CurlAsync("GET", "secret/data/anything", "hvs.not-a-real-token");
        Assert.Equal(403, status);
        Assert.Contains("permission denied", JsonNode.Parse(body)!["errors"]!.AsArray().Select(e => e!.GetValue<string>()));

        (status, body) = await vault.CurlAsync("POST", "secret/data/curl/item", vault.RootToken, """{"data":{"k":"v"}}""");
        Assert.Equal(200, status);
        var envelope = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth", "mount_type"], envelope.Select(p => p.Key));
        Assert.Equal(1, envelope["data"]!["version"]!.GetValue<int>());

        var bearer = (await Support.Tools.RunAsync("curl", ["-sS", "--cacert", vault.CaCert, "-H", $"Authorization: Bearer {vault.RootToken}",
            vault.Addr + "/v1/secret/data/curl/item"])).EnsureSuccess("curl bearer");
        Assert.Equal("v", JsonNode.Parse(bearer.Stdout)!["data"]!["data"]!["k"]!.GetValue<string>());

        (status, body) = await vault.CurlAsync("LIST", "secret/metadata/curl", vault.RootToken);
        Assert.Equal(200, status);
        Assert.Equal("""["item"]""", JsonNode.Parse(body)!["data"]!["keys"]!.ToJsonString());

        (status, body) = await vault.CurlAsync("PUT", "secret/metadata/curl/item", vault.RootToken, """{"max_versions":3}""");
        Assert.Equal(204, status);
        Assert.Equal("", body);

        (status, _) = await vault.CurlAsync("LIST", "secret/data/curl", vault.RootToken);
        Assert.Equal(405, status);

        (status, body) = await vault.CurlAsync("POST", "secret/data/curl/item", vault.RootToken, "{not json");
        Assert.Equal(400, status);
        Assert.StartsWith("""{"errors":["failed to parse JSON input""", body);

        (status, body) = await vault.CurlAsync("GET", "sys/health");
        Assert.Equal(200, status);
        Assert.False(JsonNode.Parse(body)!["sealed"]!.GetValue<bool>());
        (status, _) = await vault.CurlAsync("GET", "sys/health?activecode=299");
        Assert.Equal(299, status);

        (status, body) = await vault.CurlAsync("POST", "sys/capabilities-self", vault.RootToken, """{"paths":["secret/data/x"]}""");
        Assert.Equal(200, status);
        Assert.Equal("""["root"]""", JsonNode.Parse(body)!["data"]!["capabilities"]!.ToJsonString());
    }
}
