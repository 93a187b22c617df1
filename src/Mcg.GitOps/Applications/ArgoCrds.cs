using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Applications;

/// <summary>The Argo CD CustomResourceDefinitions (Application, AppProject, ApplicationSet), with upstream names and printer columns.</summary>
public static class ArgoCrds
{
    public const string Group = "argoproj.io";
    public const string Version = "v1alpha1";

    public static readonly ResourceRef Applications = new(Group, Version, "applications", "Application", true);
    public static readonly ResourceRef AppProjects = new(Group, Version, "appprojects", "AppProject", true);
    public static readonly ResourceRef ApplicationSets = new(Group, Version, "applicationsets", "ApplicationSet", true);

    public static IReadOnlyList<JsonObject> All =>
    [
        Crd(Applications, ["app", "apps"],
        [
            new("Sync Status", ".status.sync.status"),
            new("Health Status", ".status.health.status"),
            new("Revision", ".status.sync.revision", 10),
            new("Project", ".spec.project", 10),
        ]),
        Crd(AppProjects, ["appproj", "appprojs"], []),
        Crd(ApplicationSets, ["appset", "appsets"], []),
    ];

    // Upstream's CRDs have no status subresource: the controller writes status with the object.
    private static JsonObject Crd(ResourceRef r, string[] shortNames, CustomResourceDefinitions.Column[] columns) =>
        CustomResourceDefinitions.Build(r, shortNames, columns, new()
        {
            StatusSubresource = false,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = $"{r.Resource}.{Group}", ["app.kubernetes.io/part-of"] = "argocd" },
        });

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
