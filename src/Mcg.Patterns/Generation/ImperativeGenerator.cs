using System.Text.Json.Nodes;
using Mcg.Kube.Objects;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Generation;

/// <summary>
/// The clustergroup chart's <c>templates/imperative/</c>: the <c>imperative</c> namespace, its service accounts and RBAC,
/// the ConfigMap holding the values the chart saw, and the CronJob that runs the group's Ansible playbooks in order
/// (one init container per job, then <c>done</c>). Upstream renders the namespace and RBAC even without jobs because
/// its Vault unseal job runs there; mcg unseals Vault itself, so without enabled jobs nothing is generated.
/// </summary>
public static class ImperativeGenerator
{
    public static IReadOnlyList<JsonObject> Generate(PatternValues values, GenerationContext ctx)
    {
        var imp = values.ClusterGroup.Imperative;
        if (imp.Jobs.Count == 0)
        {
            return [];
        }
        var ns = imp.Namespace;
        var objects = new List<JsonObject>
        {
            Object("v1", "Namespace", imp.Namespace, null, new JsonObject
            {
                ["labels"] = new JsonObject { ["name"] = ns, [PatternLabels.ManagedBy] = $"{values.Global.Pattern}-{values.ClusterGroup.Name}" },
            }),
        };
        if (imp.ServiceAccountCreate)
        {
            objects.Add(Object("v1", "ServiceAccount", imp.ServiceAccountName, ns));
            objects.Add(WithRules(Object("rbac.authorization.k8s.io/v1", "ClusterRole", imp.ClusterRoleName, null), imp.ClusterRoleRules ?? Rule("get", "list", "watch")));
            objects.Add(Binding("ClusterRoleBinding", $"{ns}-cluster-rolebinding", null, "ClusterRole", imp.ClusterRoleName, imp.ServiceAccountName, ns));
            objects.Add(Binding("RoleBinding", $"{ns}-rolebinding", ns, "Role", imp.RoleName, imp.ServiceAccountName, ns));
        }
        objects.Add(WithRules(Object("rbac.authorization.k8s.io/v1", "Role", imp.RoleName, ns), imp.RoleRules ?? Rule("*")));
        if (imp.AdminServiceAccountCreate)
        {
            objects.Add(Object("v1", "ServiceAccount", imp.AdminServiceAccountName, ns));
            objects.Add(WithRules(Object("rbac.authorization.k8s.io/v1", "ClusterRole", imp.AdminClusterRoleName, null), Rule("*")));
            objects.Add(Binding("ClusterRoleBinding", $"{ns}-admin-clusterrolebinding", null, "ClusterRole", imp.AdminClusterRoleName, imp.AdminServiceAccountName, ns));
        }
        var valuesMap = Object("v1", "ConfigMap", $"{imp.ValuesConfigMap}-{values.ClusterGroup.Name}", ns);
        valuesMap["data"] = new JsonObject { ["values.yaml"] = YamlJson.ToYaml(ChartValues(values, ctx)) };
        objects.Add(valuesMap);
        objects.Add(Object("v1", "ConfigMap", "trusted-ca-bundle", ns, new JsonObject
        {
            ["labels"] = new JsonObject { ["config.openshift.io/inject-trusted-cabundle"] = "true" },
        }));
        objects.Add(CronJob(imp, values.ClusterGroup.Name, ctx));
        return objects;
    }

    /// <summary>What the chart's <c>toYaml $.Values</c> holds: the layered value files plus the parameters the operator passes.</summary>
    private static JsonObject ChartValues(PatternValues values, GenerationContext ctx)
    {
        var doc = values.Document;
        foreach (var (name, value) in ApplicationGenerator.GlobalParameters(values.Global, ctx))
        {
            doc = doc.WithParameter(name, name == "global.namespace" ? ctx.ArgoNamespace : value, forceString: false, "parameters");
        }
        return (JsonObject)doc.WithParameter("clusterGroup.name", values.ClusterGroup.Name, forceString: true, "parameters").Root.DeepClone();
    }

    private static JsonObject CronJob(ImperativeValues imp, string group, GenerationContext ctx)
    {
        var mounts = new JsonArray(
            Mount("git", "/git"),
            new JsonObject { ["name"] = "values-volume", ["mountPath"] = "/values/values.yaml", ["subPath"] = "values.yaml" },
            Mount("kube-root-ca", "/var/run/kube-root-ca"),
            Mount("trusted-ca-bundle", "/var/run/trusted-ca"),
            Mount("trusted-hub-bundle", "/var/run/trusted-hub"),
            Mount("ca-bundles", "/etc/pki/tls/certs"));
        var init = new JsonArray(
            Container(imp, "fetch-ca", null, ["sh", "-c",
                "cat /var/run/kube-root-ca/ca.crt /var/run/trusted-ca/ca-bundle.crt /var/run/trusted-hub/hub-kube-root-ca.crt > /tmp/ca-bundles/ca-bundle.crt || true; ls -l /tmp/ca-bundles/"],
                new JsonArray(Mount("kube-root-ca", "/var/run/kube-root-ca"), Mount("trusted-ca-bundle", "/var/run/trusted-ca"),
                    Mount("trusted-hub-bundle", "/var/run/trusted-hub"), Mount("ca-bundles", "/tmp/ca-bundles"))),
            Container(imp, "git-init", null, ["sh", "-c", GitInit(ctx)],
                new JsonArray(Mount("git", "/git"), Mount("ca-bundles", "/etc/pki/tls/certs"))));
        foreach (var job in imp.Jobs)
        {
            var command = new List<string> { "timeout", job.Timeout.ToString(System.Globalization.CultureInfo.InvariantCulture), "ansible-playbook" };
            if (!string.IsNullOrEmpty(job.Verbosity))
            {
                command.Add(job.Verbosity);
            }
            if (!string.IsNullOrEmpty(job.Tags))
            {
                command.AddRange(["-t", job.Tags]);
            }
            command.AddRange(["-e", "@/values/values.yaml"]);
            foreach (var extra in job.ExtraVars)
            {
                command.AddRange(["-e", extra]);
            }
            command.Add(job.Playbook);
            var container = Container(imp, job.Name, job.Image, command, (JsonArray)mounts.DeepClone());
            container["workingDir"] = "/git/repo";
            init.Add(container);
        }
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "CronJob",
            ["metadata"] = new JsonObject { ["name"] = imp.CronJobName, ["namespace"] = imp.Namespace },
            ["spec"] = new JsonObject
            {
                ["schedule"] = imp.Schedule,
                ["concurrencyPolicy"] = "Forbid", // a run still going skips the next
                ["jobTemplate"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["activeDeadlineSeconds"] = imp.ActiveDeadlineSeconds,
                        ["template"] = new JsonObject
                        {
                            ["metadata"] = new JsonObject { ["name"] = imp.JobName },
                            ["spec"] = new JsonObject
                            {
                                ["serviceAccountName"] = imp.ServiceAccountName,
                                ["initContainers"] = init,
                                ["containers"] = new JsonArray(Container(imp, "done", null, ["sh", "-c", "echo", "done"], null)),
                                ["volumes"] = Volumes(imp, group),
                                ["restartPolicy"] = "Never",
                            },
                        },
                    },
                },
            },
        };
    }

    /// <summary>Clones the pattern repository at the Pattern's revision (HEAD: the default branch) into /git/repo.</summary>
    private static string GitInit(GenerationContext ctx)
    {
        var branch = ctx.TargetRevision is "" or "HEAD" ? "" : $"--branch {ShellQuote(ctx.TargetRevision)} ";
        return $"mkdir -p /git/repo /git/home; git clone --recurse-submodules --single-branch {branch}--depth 1 -- {ShellQuote(ctx.RepoUrl)} /git/repo; chmod 0770 /git/repo /git/home";
    }

    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static JsonArray Volumes(ImperativeValues imp, string group) => new(
        new JsonObject { ["name"] = "git", ["emptyDir"] = new JsonObject() },
        new JsonObject { ["name"] = "values-volume", ["configMap"] = new JsonObject { ["name"] = $"{imp.ValuesConfigMap}-{group}" } },
        new JsonObject { ["name"] = "kube-root-ca", ["configMap"] = new JsonObject { ["name"] = "kube-root-ca.crt" } },
        new JsonObject { ["name"] = "trusted-ca-bundle", ["configMap"] = new JsonObject { ["name"] = "trusted-ca-bundle", ["optional"] = true } },
        new JsonObject { ["name"] = "trusted-hub-bundle", ["configMap"] = new JsonObject { ["name"] = "trusted-hub-bundle", ["optional"] = true } },
        new JsonObject { ["name"] = "ca-bundles", ["emptyDir"] = new JsonObject() });

    private static JsonObject Container(ImperativeValues imp, string name, string? image, IReadOnlyList<string> command, JsonArray? mounts)
    {
        var container = new JsonObject
        {
            ["name"] = name,
            ["image"] = image ?? imp.Image,
            ["imagePullPolicy"] = imp.ImagePullPolicy,
            ["env"] = new JsonArray(new JsonObject { ["name"] = "HOME", ["value"] = "/git/home" }),
            ["command"] = new JsonArray(command.Select(c => (JsonNode?)c).ToArray()),
        };
        if (mounts is not null)
        {
            container["volumeMounts"] = mounts;
        }
        return container;
    }

    private static JsonObject Mount(string name, string path) => new() { ["name"] = name, ["mountPath"] = path };

    private static JsonArray Rule(params string[] verbs) => new(new JsonObject
    {
        ["apiGroups"] = new JsonArray("*"),
        ["resources"] = new JsonArray("*"),
        ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode?)v).ToArray()),
    });

    private static JsonObject WithRules(JsonObject role, JsonArray rules)
    {
        role["rules"] = rules.DeepClone();
        return role;
    }

    private static JsonObject Binding(string kind, string name, string? ns, string roleKind, string role, string serviceAccount, string serviceAccountNamespace)
    {
        var binding = Object("rbac.authorization.k8s.io/v1", kind, name, ns);
        binding["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = roleKind, ["name"] = role };
        binding["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = serviceAccount, ["namespace"] = serviceAccountNamespace });
        return binding;
    }

    private static JsonObject Object(string apiVersion, string kind, string name, string? ns, JsonObject? metadata = null)
    {
        metadata ??= new JsonObject();
        metadata["name"] = name;
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }
        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
    }
}
