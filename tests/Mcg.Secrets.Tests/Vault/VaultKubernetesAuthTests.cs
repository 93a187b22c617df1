using Mcg.Secrets.Tests.Support;

namespace Mcg.Secrets.Tests.Vault;

/// <summary>
/// Kubernetes auth end to end: a real <c>mcg cluster serve</c> issues service account tokens (<c>kubectl create token</c>)
/// and answers the TokenReviews the Vault server posts; hvac logs in as External Secrets would.
/// </summary>
[Collection("vault")]
public sealed class VaultKubernetesAuthTests(VaultFixture vault) : IClassFixture<VaultFixture>
{
    [Fact]
    public async Task ServiceAccountsLogInThroughTokenReview()
    {
        await using var cluster = await McgProcess.StartAsync("cluster", "serve");
        var kubeconfig = Path.Combine(cluster.DataDir, "kubeconfig");
        (await Tools.KubectlAsync(kubeconfig, """
            apiVersion: v1
            kind: Namespace
            metadata: {name: external-secrets}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: eso, namespace: external-secrets}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: intruder, namespace: external-secrets}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: vault-reviewer, namespace: kube-system}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: "system:auth-delegator"}
            rules:
            - apiGroups: [authentication.k8s.io]
              resources: [tokenreviews]
              verbs: [create]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: vault-reviewer-delegator}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:auth-delegator"}
            subjects:
            - {kind: ServiceAccount, name: vault-reviewer, namespace: kube-system}
            - {kind: ServiceAccount, name: eso, namespace: external-secrets}
            """, "apply", "-f", "-")).EnsureSuccess("kubectl apply");
        async Task<string> TokenAsync(string ns, string sa, params string[] extra) =>
            (await Tools.KubectlAsync(kubeconfig, null, ["create", "token", sa, "-n", ns, .. extra])).EnsureSuccess("kubectl create token").Stdout.Trim();
        var reviewer = await TokenAsync("kube-system", "vault-reviewer", "--duration", "1h");
        var eso = await TokenAsync("external-secrets", "eso");
        var esoWithAudience = await TokenAsync("external-secrets", "eso", "--audience", "vault");
        var intruder = await TokenAsync("external-secrets", "intruder");
        var env = new Dictionary<string, string>
        {
            ["K8S_HOST"] = cluster.Url,
            ["K8S_CA"] = Path.Combine(cluster.DataDir, "ca.crt"),
            ["REVIEWER_JWT"] = reviewer,
            ["ESO_JWT"] = eso,
            ["ESO_AUD_JWT"] = esoWithAudience,
            ["INTRUDER_JWT"] = intruder,
        };

        (await vault.HvacAsync("""
            ca = open(os.environ["K8S_CA"]).read()
            client.sys.enable_auth_method(method_type="kubernetes", path="hub")
            assert client.sys.list_auth_methods()["data"]["hub/"]["type"] == "kubernetes"
            client.auth.kubernetes.configure(kubernetes_host=os.environ["K8S_HOST"], kubernetes_ca_cert=ca,
                token_reviewer_jwt=os.environ["REVIEWER_JWT"], mount_point="hub")
            cfg = client.adapter.get("/v1/auth/hub/config")["data"]
            assert cfg["kubernetes_host"] == os.environ["K8S_HOST"] and cfg["token_reviewer_jwt_set"] is True and "token_reviewer_jwt" not in cfg, cfg
            client.sys.create_or_update_policy(name="hub-secret", policy='path "secret/data/hub/*" { capabilities = ["read"] }')
            client.secrets.kv.v2.create_or_update_secret(path="hub/creds", secret={"token": "for-the-hub"})
            client.secrets.kv.v2.create_or_update_secret(path="other/creds", secret={"token": "elsewhere"})
            # Comma strings as the validated patterns' init playbook writes them.
            client.adapter.post("/v1/auth/hub/role/hub-role", json={"bound_service_account_names": "eso",
                "bound_service_account_namespaces": "external-secrets", "policies": "default,hub-secret", "ttl": "15m"})
            role = client.adapter.get("/v1/auth/hub/role/hub-role")["data"]
            assert role["token_policies"] == ["default", "hub-secret"] and role["token_ttl"] == 900, role
            assert client.adapter.list("/v1/auth/hub/role")["data"]["keys"] == ["hub-role"]

            eso = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"])
            login = eso.auth.kubernetes.login(role="hub-role", jwt=os.environ["ESO_JWT"], mount_point="hub")["auth"]
            assert login["policies"] == ["default", "hub-secret"] and login["lease_duration"] == 900, login
            md = login["metadata"]
            assert md["role"] == "hub-role" and md["service_account_name"] == "eso" and md["service_account_namespace"] == "external-secrets", md
            assert md["service_account_uid"] != "", md
            assert eso.secrets.kv.v2.read_secret_version(path="hub/creds")["data"]["data"]["token"] == "for-the-hub"
            try:
                eso.secrets.kv.v2.read_secret_version(path="other/creds")
                raise AssertionError("read outside policy")
            except exceptions.Forbidden:
                pass
            me = eso.auth.token.lookup_self()["data"]
            assert me["path"] == "auth/hub/login" and me["meta"]["role"] == "hub-role" and me["orphan"] is True, me
            eso.auth.token.revoke_self()

            def login_fails(role, jwt, words, kind=exceptions.Forbidden, mount="hub"):
                try:
                    hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"]).auth.kubernetes.login(role=role, jwt=jwt, mount_point=mount)
                    raise AssertionError("login accepted: " + words)
                except kind as e:
                    assert words in str(e), str(e)

            login_fails("hub-role", os.environ["INTRUDER_JWT"], "service account name not authorized")
            login_fails("nope", os.environ["ESO_JWT"], 'invalid role name "nope"', exceptions.InvalidRequest)
            # A forged token naming an allowed service account fails the TokenReview.
            head, body, sig = os.environ["ESO_JWT"].split(".")
            login_fails("hub-role", head + "." + body + ".AAAA" + sig[4:], "lookup failed")

            # Namespace bindings and '*'; audience checks.
            client.adapter.post("/v1/auth/hub/role/ns-role", json={"bound_service_account_names": ["*"],
                "bound_service_account_namespaces": ["kube-system"], "token_policies": ["default"]})
            login_fails("ns-role", os.environ["ESO_JWT"], "namespace not authorized")
            client.adapter.post("/v1/auth/hub/role/aud-role", json={"bound_service_account_names": ["e*"],
                "bound_service_account_namespaces": ["*"], "token_policies": ["default"], "audience": "vault"})
            login_fails("aud-role", os.environ["ESO_JWT"], "audience claim does not match")
            hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"]).auth.kubernetes.login(role="aud-role", jwt=os.environ["ESO_AUD_JWT"], mount_point="hub")

            # Without a reviewer JWT the client's own JWT reviews itself (eso is bound to system:auth-delegator).
            client.sys.enable_auth_method(method_type="kubernetes", path="spoke")
            client.auth.kubernetes.configure(kubernetes_host=os.environ["K8S_HOST"], kubernetes_ca_cert=ca, mount_point="spoke")
            client.auth.kubernetes.create_role(name="spoke-role", bound_service_account_names=["eso", "intruder"],
                bound_service_account_namespaces=["external-secrets"], policies=["hub-secret"], mount_point="spoke")
            ok = hvac.Client(url=os.environ["VAULT_ADDR"], verify=os.environ["VAULT_CACERT"]).auth.kubernetes.login(role="spoke-role", jwt=os.environ["ESO_JWT"], mount_point="spoke")
            assert ok["auth"]["lease_duration"] > 0
            # intruder is not an auth-delegator, so its own TokenReview is forbidden by RBAC.
            login_fails("spoke-role", os.environ["INTRUDER_JWT"], "lookup failed", mount="spoke")
            print("ok")
            """, env: env)).EnsureSuccess("kubernetes auth");
    }
}
