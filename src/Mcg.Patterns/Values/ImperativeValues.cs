using System.Text.Json.Nodes;

namespace Mcg.Patterns.Values;

/// <summary>An <c>imperative.jobs[]</c> entry: one Ansible playbook run by the group's imperative CronJob.</summary>
public sealed record ImperativeJob(string Name, string Playbook, long Timeout, string? Image, string? Tags, IReadOnlyList<string> ExtraVars, string? Verbosity);

/// <summary>
/// <c>clusterGroup.imperative</c> with the clustergroup chart's defaults (<c>values.yaml</c>): where the imperative
/// CronJob runs, as whom, how often, and the enabled jobs in the order they run.
/// </summary>
public sealed record ImperativeValues
{
    public IReadOnlyList<ImperativeJob> Jobs { get; init; } = [];
    public string Namespace { get; init; } = "imperative";
    public string Image { get; init; } = "quay.io/validatedpatterns/imperative-container:v1";
    public string ImagePullPolicy { get; init; } = "Always";
    public string ValuesConfigMap { get; init; } = "helm-values-configmap";
    public string CronJobName { get; init; } = "imperative-cronjob";
    public string JobName { get; init; } = "imperative-job";
    public long ActiveDeadlineSeconds { get; init; } = 3600;
    public string Schedule { get; init; } = "*/10 * * * *";
    public bool ServiceAccountCreate { get; init; } = true;
    public string ServiceAccountName { get; init; } = "imperative-sa";
    public string ClusterRoleName { get; init; } = "imperative-cluster-role";
    public JsonArray? ClusterRoleRules { get; init; }
    public string RoleName { get; init; } = "imperative-role";
    public JsonArray? RoleRules { get; init; }
    public bool AdminServiceAccountCreate { get; init; } = true;
    public string AdminServiceAccountName { get; init; } = "imperative-admin-sa";
    public string AdminClusterRoleName { get; init; } = "imperative-admin-cluster-role";

    public static ImperativeValues Read(ValuesNode imperative)
    {
        var defaults = new ImperativeValues();
        if (imperative.IsNull)
        {
            return defaults;
        }
        imperative.Map();
        var jobs = imperative["jobs"];
        if (jobs.IsMap)
        {
            throw jobs.Error("must be a list (a map loses the order the jobs run in)");
        }
        return new ImperativeValues
        {
            Jobs = jobs.Items().Where(j => !j.IsNull && !(j.IsMap && j["disabled"].Bool() == true)).Select(ReadJob).ToList(),
            Namespace = imperative["namespace"].String() ?? defaults.Namespace,
            Image = imperative["image"].String() ?? defaults.Image,
            ImagePullPolicy = imperative["imagePullPolicy"].String() ?? defaults.ImagePullPolicy,
            ValuesConfigMap = imperative["valuesConfigMap"].String() ?? defaults.ValuesConfigMap,
            CronJobName = imperative["cronJobName"].String() ?? defaults.CronJobName,
            JobName = imperative["jobName"].String() ?? defaults.JobName,
            ActiveDeadlineSeconds = imperative["activeDeadlineSeconds"].Integer() ?? defaults.ActiveDeadlineSeconds,
            Schedule = imperative["schedule"].String() ?? defaults.Schedule,
            ServiceAccountCreate = imperative["serviceAccountCreate"].Bool() ?? defaults.ServiceAccountCreate,
            ServiceAccountName = imperative["serviceAccountName"].String() ?? defaults.ServiceAccountName,
            ClusterRoleName = imperative["clusterRoleName"].String() ?? defaults.ClusterRoleName,
            ClusterRoleRules = Rules(imperative["clusterRoleYaml"]),
            RoleName = imperative["roleName"].String() ?? defaults.RoleName,
            RoleRules = Rules(imperative["roleYaml"]),
            AdminServiceAccountCreate = imperative["adminServiceAccountCreate"].Bool() ?? defaults.AdminServiceAccountCreate,
            AdminServiceAccountName = imperative["adminServiceAccountName"].String() ?? defaults.AdminServiceAccountName,
            AdminClusterRoleName = imperative["adminClusterRoleName"].String() ?? defaults.AdminClusterRoleName,
        };
    }

    private static ImperativeJob ReadJob(ValuesNode j)
    {
        j.Map();
        return new ImperativeJob(j["name"].RequiredString(), j["playbook"].RequiredString(), j["timeout"].Integer() ?? 600,
            j["image"].String(), j["tags"].String(), j["extravars"].Strings(), j["verbosity"].String());
    }

    /// <summary><c>clusterRoleYaml</c>/<c>roleYaml</c>: RBAC rules replacing the defaults; the chart's "" default means none given.</summary>
    private static JsonArray? Rules(ValuesNode node) => node.Node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) && s.Length == 0 => null,
        JsonArray a => (JsonArray)a.DeepClone(),
        _ => throw node.Error("must be a list of RBAC rules"),
    };
}
