using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Mcg.ApiServer.Tests.Support;

namespace Mcg.ApiServer.Tests;

public sealed class RbacTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task NamespaceBoundTokenIsForbiddenElsewhere()
    {
        using var admin = fixture.Server.Client();
        foreach (var ns in new[] { "a", "b" })
        {
            await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            await admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg" } }, ns);
        }
        await admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "agent" } }, "a");
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "editor" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get", "list", "watch", "create", "update", "patch", "delete"] }],
        }, "a");
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "agent-editor" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "editor" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "agent", NamespaceProperty = "a" }],
        }, "a");
        var tokenRequest = await admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 },
        }, "agent", "a");
        var token = tokenRequest.Status.Token;

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.KubeconfigPath);
        config.AccessToken = token;
        using var agent = new Kubernetes(config);

        Assert.Equal("cfg", (await agent.CoreV1.ReadNamespacedConfigMapAsync("cfg", "a")).Metadata.Name);
        Assert.Single((await agent.CoreV1.ListNamespacedConfigMapAsync("a")).Items);
        await agent.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "mine" } }, "a");

        await AssertForbidden(() => agent.CoreV1.ReadNamespacedConfigMapAsync("cfg", "b"), "configmaps \"cfg\" is forbidden: User \"system:serviceaccount:a:agent\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"b\"");
        await AssertForbidden(() => agent.CoreV1.ListNamespacedConfigMapAsync("b"), "in the namespace \"b\"");
        await AssertForbidden(() => agent.CoreV1.ListConfigMapForAllNamespacesAsync(), "at the cluster scope");
        await AssertForbidden(() => agent.CoreV1.ListNamespaceAsync(), "at the cluster scope");
        await AssertForbidden(() => agent.CoreV1.ReadNamespacedSecretAsync("x", "a"), "secrets");

        // TokenReview recognises the token for as long as its ServiceAccount lives.
        var review = await admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } });
        Assert.True(review.Status.Authenticated);
        Assert.Equal("system:serviceaccount:a:agent", review.Status.User.Username);
        Assert.Contains("system:serviceaccounts:a", review.Status.User.Groups);
        var bogus = await admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token + "x" } });
        Assert.False(bogus.Status.Authenticated);

        await admin.CoreV1.DeleteNamespacedServiceAccountAsync("agent", "a");
        var revoked = await Assert.ThrowsAsync<HttpOperationException>(() => agent.CoreV1.ReadNamespacedConfigMapAsync("cfg", "a"));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Response.StatusCode);
    }

    [Fact]
    public async Task RequestsWithoutAValidTokenAreUnauthorized()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Server.KubeconfigPath);
        config.AccessToken = "not-a-token";
        using var stranger = new Kubernetes(config);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, e.Response.StatusCode);
    }

    private static async Task AssertForbidden(Func<Task> call, string messagePart)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(e.Response.Content)!;
        Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        Assert.Contains(messagePart, status["message"]!.GetValue<string>());
    }
}
