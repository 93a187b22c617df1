namespace Mcg.Secrets.Tests.Vault;

/// <summary>KV v2 through python3-hvac against a real <c>mcg vault serve</c>.</summary>
[Collection("vault")]
public sealed class VaultKvHvacTests(VaultFixture vault) : IClassFixture<VaultFixture>
{
    [Fact]
    public async Task WriteReadVersionsAndCheckAndSet()
    {
        (await vault.HvacAsync("""
            kv = client.secrets.kv.v2
            mounts = client.sys.list_mounted_secrets_engines()["data"]
            assert mounts["secret/"]["type"] == "kv" and mounts["secret/"]["options"]["version"] == "2", mounts
            w = kv.create_or_update_secret(path="app/db", secret={"user": "admin", "password": "s3cr3t-v1"})
            assert w["data"]["version"] == 1 and w["data"]["destroyed"] is False and w["data"]["deletion_time"] == "", w
            kv.create_or_update_secret(path="app/db", secret={"user": "admin", "password": "s3cr3t-v2"})
            r = kv.read_secret_version(path="app/db")
            assert r["data"]["data"] == {"user": "admin", "password": "s3cr3t-v2"}, r
            assert r["data"]["metadata"]["version"] == 2 and r["data"]["metadata"]["custom_metadata"] is None, r
            assert r["lease_id"] == "" and r["renewable"] is False and r["lease_duration"] == 0 and r["wrap_info"] is None, r
            old = kv.read_secret_version(path="app/db", version=1)
            assert old["data"]["data"]["password"] == "s3cr3t-v1", old
            # check-and-set: 0 means create-only; a stale version is refused with Vault's words.
            try:
                kv.create_or_update_secret(path="app/db", secret={"x": "y"}, cas=1)
                raise AssertionError("stale cas accepted")
            except exceptions.InvalidRequest as e:
                assert "check-and-set parameter did not match the current version" in str(e), str(e)
            try:
                kv.create_or_update_secret(path="app/db", secret={"x": "y"}, cas=0)
                raise AssertionError("cas 0 on existing key accepted")
            except exceptions.InvalidRequest:
                pass
            assert kv.create_or_update_secret(path="app/new", secret={"a": "1"}, cas=0)["data"]["version"] == 1
            assert kv.create_or_update_secret(path="app/db", secret={"user": "admin", "password": "s3cr3t-v3"}, cas=2)["data"]["version"] == 3
            # Missing key and missing version: 404 with no body → InvalidPath.
            for args in ({"path": "app/none"}, {"path": "app/db", "version": 99}):
                try:
                    kv.read_secret_version(**args)
                    raise AssertionError("missing read succeeded")
                except exceptions.InvalidPath:
                    pass
            try:
                client.adapter.post("/v1/secret/data/app/empty", json={"options": {}})
                raise AssertionError("write without data accepted")
            except exceptions.InvalidRequest as e:
                assert "no data provided" in str(e), str(e)
            print("ok")
            """)).EnsureSuccess("kv write/read/cas");
    }

    [Fact]
    public async Task DeleteUndeleteDestroyAndMetadata()
    {
        (await vault.HvacAsync("""
            kv = client.secrets.kv.v2
            for i in range(1, 4):
                kv.create_or_update_secret(path="life/cycle", secret={"n": str(i)})
            kv.delete_latest_version_of_secret(path="life/cycle")
            # A soft-deleted version reads as 404 with data null and its metadata (hvac's raw adapter shows the body).
            raw = requests.get(os.environ["VAULT_ADDR"] + "/v1/secret/data/life/cycle", headers={"X-Vault-Token": client.token}, verify=os.environ["VAULT_CACERT"])
            assert raw.status_code == 404, raw.status_code
            body = raw.json()
            assert body["data"]["data"] is None and body["data"]["metadata"]["version"] == 3 and body["data"]["metadata"]["deletion_time"] != "", body
            kv.undelete_secret_versions(path="life/cycle", versions=[3])
            assert kv.read_secret_version(path="life/cycle")["data"]["data"] == {"n": "3"}
            kv.delete_secret_versions(path="life/cycle", versions=[1])
            kv.destroy_secret_versions(path="life/cycle", versions=[2])
            meta = kv.read_secret_metadata(path="life/cycle")["data"]
            assert meta["current_version"] == 3 and meta["oldest_version"] == 0 and meta["max_versions"] == 0, meta
            assert meta["delete_version_after"] == "0s" and meta["cas_required"] is False, meta
            v = meta["versions"]
            assert v["1"]["deletion_time"] != "" and v["1"]["destroyed"] is False, v
            assert v["2"]["destroyed"] is True and v["3"]["deletion_time"] == "", v
            raw = requests.get(os.environ["VAULT_ADDR"] + "/v1/secret/data/life/cycle?version=2", headers={"X-Vault-Token": client.token}, verify=os.environ["VAULT_CACERT"])
            assert raw.status_code == 404 and raw.json()["data"]["metadata"]["destroyed"] is True, raw.text
            try:
                client.adapter.post("/v1/secret/delete/life/cycle", json={})
                raise AssertionError("delete without versions accepted")
            except exceptions.InvalidRequest as e:
                assert "No version number provided" in str(e), str(e)

            # Metadata: max_versions prunes the oldest versions; cas_required demands cas.
            kv.update_metadata(path="life/cycle", max_versions=2, cas_required=True)
            try:
                kv.create_or_update_secret(path="life/cycle", secret={"n": "4"})
                raise AssertionError("write without cas accepted while cas_required")
            except exceptions.InvalidRequest as e:
                assert "check-and-set parameter required for this call" in str(e), str(e)
            kv.create_or_update_secret(path="life/cycle", secret={"n": "4"}, cas=3)
            meta = kv.read_secret_metadata(path="life/cycle")["data"]
            assert sorted(meta["versions"].keys()) == ["3", "4"] and meta["oldest_version"] == 3 and meta["max_versions"] == 2, meta
            client.adapter.post("/v1/secret/metadata/life/cycle", json={"custom_metadata": {"owner": "team-a", "managed-by": "external-secrets"}})
            meta = kv.read_secret_metadata(path="life/cycle")["data"]
            assert meta["custom_metadata"] == {"owner": "team-a", "managed-by": "external-secrets"}, meta
            assert kv.read_secret_version(path="life/cycle")["data"]["metadata"]["custom_metadata"]["owner"] == "team-a"
            kv.delete_metadata_and_all_versions(path="life/cycle")
            try:
                kv.read_secret_metadata(path="life/cycle")
                raise AssertionError("metadata still there")
            except exceptions.InvalidPath:
                pass
            print("ok")
            """)).EnsureSuccess("kv delete/undelete/destroy/metadata");
    }

    [Fact]
    public async Task ListPatchAndSubkeys()
    {
        (await vault.HvacAsync("""
            kv = client.secrets.kv.v2
            kv.create_or_update_secret(path="tree/a", secret={"k": "v"})
            kv.create_or_update_secret(path="tree/b/c", secret={"k": "v"})
            kv.create_or_update_secret(path="tree/b/d/e", secret={"k": "v"})
            assert kv.list_secrets(path="tree")["data"]["keys"] == ["a", "b/"]
            assert kv.list_secrets(path="tree/b")["data"]["keys"] == ["c", "d/"]
            # hvac lists with the LIST verb; GET ?list=true answers the same.
            r = requests.get(os.environ["VAULT_ADDR"] + "/v1/secret/metadata/tree?list=true", headers={"X-Vault-Token": client.token}, verify=os.environ["VAULT_CACERT"])
            assert r.status_code == 200 and r.json()["data"]["keys"] == ["a", "b/"], r.text
            try:
                kv.list_secrets(path="nothing-here")
                raise AssertionError("empty list succeeded")
            except exceptions.InvalidPath:
                pass

            # hvac's patch (read + cas write) and a real PATCH with merge-patch+json.
            kv.create_or_update_secret(path="tree/p", secret={"a": "1", "b": "2", "nested": {"x": "1", "y": "2"}})
            kv.patch(path="tree/p", secret={"c": "3"})
            assert kv.read_secret_version(path="tree/p")["data"]["data"] == {"a": "1", "b": "2", "c": "3", "nested": {"x": "1", "y": "2"}}
            resp = client.adapter.request("patch", "/v1/secret/data/tree/p", json={"data": {"b": None, "nested": {"y": "20"}}},
                headers={"Content-Type": "application/merge-patch+json"})
            assert resp["data"]["version"] == 3, resp
            assert kv.read_secret_version(path="tree/p")["data"]["data"] == {"a": "1", "c": "3", "nested": {"x": "1", "y": "20"}}
            bad = requests.patch(os.environ["VAULT_ADDR"] + "/v1/secret/data/tree/p", json={"data": {"a": "2"}}, headers={"X-Vault-Token": client.token}, verify=os.environ["VAULT_CACERT"])
            assert bad.status_code == 415, bad.status_code
            missing = requests.patch(os.environ["VAULT_ADDR"] + "/v1/secret/data/tree/none", data=json.dumps({"data": {"a": "2"}}),
                headers={"X-Vault-Token": client.token, "Content-Type": "application/merge-patch+json"}, verify=os.environ["VAULT_CACERT"])
            assert missing.status_code == 404 and missing.json() == {"errors": []}, missing.text

            sub = client.adapter.get("/v1/secret/subkeys/tree/p")
            assert sub["data"]["subkeys"] == {"a": None, "c": None, "nested": {"x": None, "y": None}}, sub
            sub = client.adapter.get("/v1/secret/subkeys/tree/p", params={"depth": 1})
            assert sub["data"]["subkeys"] == {"a": None, "c": None, "nested": None}, sub
            print("ok")
            """)).EnsureSuccess("kv list/patch/subkeys");
    }

    [Fact]
    public async Task MountsPreflightAndPasswordPolicies()
    {
        (await vault.HvacAsync("""
            client.sys.enable_secrets_engine(backend_type="kv", path="apps", options={"version": "2"})
            try:
                client.sys.enable_secrets_engine(backend_type="kv", path="apps", options={"version": "2"})
                raise AssertionError("double mount accepted")
            except exceptions.InvalidRequest as e:
                assert "path is already in use at apps/" in str(e), str(e)
            client.sys.enable_secrets_engine(backend_type="kv-v2", path="team/kv")
            client.secrets.kv.v2.create_or_update_secret(path="x", secret={"k": "v"}, mount_point="team/kv")
            assert client.secrets.kv.v2.read_secret_version(path="x", mount_point="team/kv")["data"]["data"] == {"k": "v"}
            pre = client.adapter.get("/v1/sys/internal/ui/mounts/apps/some/key")
            assert pre["data"]["type"] == "kv" and pre["data"]["options"]["version"] == "2" and pre["data"]["path"] == "apps/", pre
            try:
                client.secrets.kv.v2.read_secret_version(path="x", mount_point="nomount")
                raise AssertionError("read on unmounted path succeeded")
            except exceptions.InvalidPath as e:
                assert "no handler for route" in str(e), str(e)

            policy = 'length = 20\nrule "charset" {\n  charset = "abcdefghijklmnopqrstuvwxyz"\n  min-chars = 1\n}\nrule "charset" {\n  charset = "0123456789"\n  min-chars = 2\n}\n'
            client.adapter.put("/v1/sys/policies/password/vp-default", json={"policy": policy})
            assert client.adapter.get("/v1/sys/policies/password/vp-default")["data"]["policy"] == policy
            for _ in range(20):
                pw = client.adapter.get("/v1/sys/policies/password/vp-default/generate")["data"]["password"]
                assert len(pw) == 20 and sum(c.isdigit() for c in pw) >= 2 and all(c.isdigit() or c.islower() for c in pw), pw
            try:
                client.adapter.put("/v1/sys/policies/password/bad", json={"policy": "length = 1"})
                raise AssertionError("bad password policy accepted")
            except exceptions.InvalidRequest:
                pass
            print("ok")
            """)).EnsureSuccess("mounts/preflight/password policies");
    }
}
