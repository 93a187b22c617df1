using System.Text;

namespace Mcg.ApiServer.Hosting;

/// <summary>Writes a kubeconfig that kubectl and KubernetesClient accept unchanged (CA data embedded, bearer token).</summary>
public static class Kubeconfig
{
    public static string Render(string server, string caPem, string token, string clusterName = "mcg", string user = "admin", string? ns = null)
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        var nsLine = ns is null ? "" : $"\n    namespace: {ns}";
        return $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {{clusterName}}
              cluster:
                server: {{server}}
                certificate-authority-data: {{ca}}
            users:
            - name: {{user}}
              user:
                token: {{token}}
            contexts:
            - name: {{clusterName}}
              context:
                cluster: {{clusterName}}
                user: {{user}}{{nsLine}}
            current-context: {{clusterName}}
            preferences: {}

            """;
    }
}
