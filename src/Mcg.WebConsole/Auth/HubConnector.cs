using System.Text.Json.Nodes;
using k8s;
using Mcg.GitOps.Controller;
using Mcg.Kube.Client;

namespace Mcg.WebConsole.Auth;

/// <summary>Why a token cannot log in; the message is shown on the login page.</summary>
public sealed class LoginRejectedException(string message) : Exception(message);

/// <summary>
/// Connects to the hub API as a user: the hub kubeconfig's server and CA with the user's bearer token, so every read
/// and write the console makes on their behalf is authenticated and authorised by the hub (its RBAC applies).
/// </summary>
public sealed class HubConnector(string kubeconfigPath)
{
    private static readonly ResourceRef AccessReviews = new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false);

    public KubernetesClientKubeClient Connect(string token)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
        config.AccessToken = token;
        config.TokenProvider = null;
        config.Username = null;
        config.Password = null;
        config.ClientCertificateData = null;
        config.ClientCertificateKeyData = null;
        config.ClientCertificateFilePath = null;
        config.ClientKeyFilePath = null;
        return new KubernetesClientKubeClient(config) { RequestTimeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Checks a token with the hub: it must authenticate (else 401) and be allowed to list Applications, the least the
    /// console shows. Returns a client for it.
    /// </summary>
    /// <exception cref="LoginRejectedException">The hub rejected the token, or it may not read Applications.</exception>
    public async Task<KubernetesClientKubeClient> LoginAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Any(char.IsWhiteSpace))
        {
            throw new LoginRejectedException("Enter the hub token (the bearer token of the hub kubeconfig).");
        }
        var client = Connect(token);
        try
        {
            var allowed = await AllowedAsync(client, new JsonObject
            {
                ["resourceAttributes"] = new JsonObject
                {
                    ["group"] = ApplicationController.Applications.Group,
                    ["resource"] = ApplicationController.Applications.Resource,
                    ["verb"] = "list",
                },
            }, ct);
            return allowed ? client : throw new LoginRejectedException("The hub accepted this token, but it may not list Applications.");
        }
        catch (KubeApiException e) when (e.StatusCode is 401 or 403)
        {
            client.Dispose();
            throw new LoginRejectedException($"The hub rejected this token ({e.StatusCode}).");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Whether the hub lets this token GET a non-resource path (as kube-apiserver authorises <c>/metrics</c>).</summary>
    public async Task<bool> MayGetAsync(string token, string path, CancellationToken ct)
    {
        using var client = Connect(token);
        try
        {
            return await AllowedAsync(client, new JsonObject { ["nonResourceAttributes"] = new JsonObject { ["path"] = path, ["verb"] = "get" } }, ct);
        }
        catch (KubeApiException e) when (e.StatusCode is 401 or 403)
        {
            return false;
        }
    }

    private static async Task<bool> AllowedAsync(IKubeClient client, JsonObject spec, CancellationToken ct)
    {
        var review = await client.CreateAsync(AccessReviews, new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SelfSubjectAccessReview",
            ["spec"] = spec,
        }, null, ct);
        return review["status"]?["allowed"]?.GetValue<bool>() == true;
    }
}
