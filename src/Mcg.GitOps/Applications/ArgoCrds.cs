using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Applications;

/// <summary>The Argo CD CustomResourceDefinitions (Application, AppProject, ApplicationSet), with upstream names and printer columns.</summary>
public static class ArgoCrds
{
    public const string Group = "argoproj.io";
    public const string Version = "v1alpha1";

    public static IReadOnlyList<JsonObject> All =>
    [
        Crd("applications", "application", "Application", ["app", "apps"],
        [
            ("Sync Status", ".status.sync.status", 0),
            ("Health Status", ".status.health.status", 0),
            ("Revision", ".status.sync.revision", 10),
            ("Project", ".spec.project", 10),
        ]),
        Crd("appprojects", "appproject", "AppProject", ["appproj", "appprojs"], []),
        Crd("applicationsets", "applicationset", "ApplicationSet", ["appset", "appsets"], []),
    ];

    private static JsonObject Crd(string plural, string singular, string kind, string[] shortNames, (string Name, string Path, int Priority)[] columns)
    {
        var version = new JsonObject
        {
            ["name"] = Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject
            {
                ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            },
        };
        if (columns.Length > 0)
        {
            var cols = new JsonArray();
            foreach (var c in columns)
            {
                cols.Add(new JsonObject { ["name"] = c.Name, ["type"] = "string", ["jsonPath"] = c.Path, ["priority"] = c.Priority });
            }
            cols.Add(new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" });
            version["additionalPrinterColumns"] = cols;
        }
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{plural}.{Group}",
                ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = $"{plural}.{Group}", ["app.kubernetes.io/part-of"] = "argocd" },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = Group,
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject
                {
                    ["plural"] = plural,
                    ["singular"] = singular,
                    ["kind"] = kind,
                    ["listKind"] = kind + "List",
                    ["shortNames"] = new JsonArray(shortNames.Select(s => (JsonNode)s).ToArray()),
                },
                ["versions"] = new JsonArray(version),
            },
        };
    }

    /// <summary>The <c>default</c> AppProject Argo CD creates: everything allowed.</summary>
    public static JsonObject DefaultProject(string ns) => new()
    {
        ["apiVersion"] = $"{Group}/{Version}",
        ["kind"] = "AppProject",
        ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["sourceRepos"] = new JsonArray("*"),
            ["destinations"] = new JsonArray(new JsonObject { ["server"] = "*", ["namespace"] = "*" }, new JsonObject { ["name"] = "*", ["namespace"] = "*" }),
            ["clusterResourceWhitelist"] = new JsonArray(new JsonObject { ["group"] = "*", ["kind"] = "*" }),
        },
    };

    public static string ApplicationName(JsonObject app) => app.Name() ?? "";
}
