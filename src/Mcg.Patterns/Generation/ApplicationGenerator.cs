using System.Text.Json.Nodes;
using Mcg.Patterns.Values;

namespace Mcg.Patterns.Generation;

/// <summary>An application the generator could not make renderable, and why (reported, never skipped silently).</summary>
public sealed record GenerationProblem(string Application, string Message);

/// <summary>
/// Turns <c>clusterGroup.applications</c> entries into Argo CD Applications, following
/// <c>validatedpatterns/clustergroup-chart templates/plumbing/applications.yaml</c> (0.9.x) and the
/// <c>clustergroup.app.globalvalues.*</c> helpers of its <c>_helpers.tpl</c>. Deliberate differences, because mcg has one
/// Argo CD on the hub: Applications live in <see cref="GenerationContext.ArgoNamespace"/> (upstream's
/// <c>vpArgoNamespace</c> with <c>singleArgoCD</c>); a managed cluster's copies target it by
/// <c>destination.name</c> and are named <c>&lt;cluster&gt;-&lt;app&gt;</c>; no
/// <c>resources-finalizer.argocd.argoproj.io</c> finalizer (mcg's controller does not cascade deletes through it);
/// Kustomize applications get the facts through <see cref="KustomizeFacts"/> instead of a <c>helm</c> block that would
/// make Argo CD treat them as charts.
/// </summary>
public static class ApplicationGenerator
{
    public static (IReadOnlyList<JsonObject> Applications, IReadOnlyList<GenerationProblem> Problems) Generate(PatternValues values, GenerationContext ctx)
    {
        var apps = new List<JsonObject>();
        var problems = new List<GenerationProblem>();
        foreach (var entry in values.ClusterGroup.Applications)
        {
            var (app, problem) = Generate(values, entry, ctx);
            apps.Add(app);
            if (problem is not null)
            {
                problems.Add(new GenerationProblem(app["metadata"]!["name"]!.GetValue<string>(), problem));
            }
        }
        return (apps, problems);
    }

    private static (JsonObject App, string? Problem) Generate(PatternValues values, ApplicationEntry entry, GenerationContext ctx)
    {
        var global = values.Global;
        var group = values.ClusterGroup;
        var argoInstance = $"{global.Pattern}-{group.Name}";
        var name = ctx.ManagedCluster is null ? entry.Name : $"{ctx.ManagedCluster}-{entry.Name}";
        var labels = new JsonObject { [PatternLabels.Pattern] = global.Pattern };
        if (ctx.ManagedCluster is not null)
        {
            labels[PatternLabels.ClusterGroup] = group.Name;
            labels[PatternLabels.Cluster] = ctx.ManagedCluster;
        }
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ctx.ArgoNamespace, ["labels"] = labels };
        if (entry.Annotations.Count > 0)
        {
            metadata["annotations"] = new JsonObject(entry.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
        }
        var spec = new JsonObject
        {
            ["destination"] = new JsonObject
            {
                ["name"] = ctx.ManagedCluster ?? group.TargetCluster,
                ["namespace"] = string.IsNullOrEmpty(entry.Namespace) ? argoInstance : entry.Namespace,
            },
            ["project"] = entry.Project,
        };

        var kind = entry.Chart is null ? SourceDetector.Detect(ctx.RepositoryRoot, entry.Path) : SourceKind.HelmChart;
        string? problem = null;
        if (entry.MultiSource)
        {
            var chartSource = new JsonObject { ["repoURL"] = entry.RepoUrl ?? global.MultiSourceRepoUrl };
            AddChartOrPath(chartSource, entry);
            chartSource["targetRevision"] = entry.ChartVersion;
            if (entry.Plugin is not null)
            {
                chartSource["plugin"] = entry.Plugin.DeepClone();
            }
            else
            {
                chartSource["helm"] = Helm(values, entry, ctx, prefixed: true);
            }
            spec["sources"] = new JsonArray(
                new JsonObject { ["repoURL"] = ctx.RepoUrl, ["targetRevision"] = ctx.TargetRevision, ["ref"] = "patternref" },
                chartSource);
            problem = entry.Plugin is null ? Unsupported(entry) : null;
        }
        else
        {
            var source = new JsonObject
            {
                ["repoURL"] = entry.RepoUrl ?? ctx.RepoUrl,
                ["targetRevision"] = entry.TargetRevision ?? ctx.TargetRevision,
            };
            AddChartOrPath(source, entry);
            if (entry.Plugin is not null)
            {
                source["plugin"] = entry.Plugin.DeepClone();
            }
            else if (entry.KustomizeRequested || kind == SourceKind.Kustomization)
            {
                source["kustomize"] = KustomizeFacts.Block(entry.Kustomize, ctx.Facts, global.Pattern);
            }
            else if (kind is SourceKind.HelmChart or SourceKind.Unknown or SourceKind.Missing)
            {
                source["helm"] = Helm(values, entry, ctx, prefixed: false);
                problem = kind == SourceKind.HelmChart ? Unsupported(entry) : null;
            }
            // A plain directory gets no helm block: Argo CD would take it for a chart.
            spec["source"] = source;
        }
        if (entry.IgnoreDifferences is not null)
        {
            spec["ignoreDifferences"] = entry.IgnoreDifferences.DeepClone();
        }
        if (SyncPolicy(entry.SyncPolicy, global) is { } policy)
        {
            spec["syncPolicy"] = policy;
        }
        if (problem is not null)
        {
            var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
            annotations[PatternLabels.UnsupportedAnnotation] = problem;
            metadata["annotations"] = annotations;
        }
        var app = new JsonObject
        {
            ["apiVersion"] = "argoproj.io/v1alpha1",
            ["kind"] = "Application",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
        return (app, problem);
    }

    private static string Unsupported(ApplicationEntry entry) =>
        entry.Chart is not null
            ? $"ComparisonError: {SourceDetector.HelmUnsupported} (chart \"{entry.Chart}\"{(entry.ChartVersion is null ? "" : $" version {entry.ChartVersion}")})"
            : $"ComparisonError: {SourceDetector.HelmUnsupported} (path {entry.Path} holds Chart.yaml)";

    private static void AddChartOrPath(JsonObject source, ApplicationEntry entry)
    {
        if (entry.Chart is not null)
        {
            source["chart"] = entry.Chart;
        }
        else
        {
            source["path"] = entry.Path;
        }
    }

    /// <summary>
    /// Upstream: <c>Automatic</c> (the default, via <c>global.options.syncPolicy</c>) → automated with
    /// <c>retry.limit: applicationRetryLimit</c> (20); <c>Manual</c> → null; an object → passed through.
    /// </summary>
    internal static JsonObject? SyncPolicy(JsonNode? entryPolicy, GlobalValues global)
    {
        var policy = IsEmpty(entryPolicy) ? global.SyncPolicy : entryPolicy;
        if (policy is JsonValue v && v.TryGetValue<string>(out var word))
        {
            if (word.Equals("manual", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            if (word.Equals("automatic", StringComparison.OrdinalIgnoreCase))
            {
                return Automatic(global);
            }
        }
        if (!IsEmpty(policy))
        {
            // The template passes the entry's own syncPolicy through (a global object is not copied).
            return entryPolicy is JsonObject o ? (JsonObject)o.DeepClone() : null;
        }
        return Automatic(global);
    }

    private static JsonObject Automatic(GlobalValues global) => new()
    {
        ["automated"] = new JsonObject(),
        ["retry"] = new JsonObject { ["limit"] = global.ApplicationRetryLimit },
    };

    private static bool IsEmpty(JsonNode? node) => node is null || (node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0);

    private static JsonObject Helm(PatternValues values, ApplicationEntry entry, GenerationContext ctx, bool prefixed)
    {
        var global = values.Global;
        var group = values.ClusterGroup;
        var files = new JsonArray();
        foreach (var f in ValueFiles.Global(group.Name, ctx.Facts, [], includeClusterName: true))
        {
            files.Add(prefixed ? "$patternref" + f : f);
        }
        foreach (var f in global.ExtraValueFiles)
        {
            files.Add(prefixed ? "$patternref/" + f : f);
        }
        foreach (var f in group.SharedValueFiles.Concat(entry.ExtraValueFiles))
        {
            files.Add(ValueFiles.Expand(f, group.Name, global.Pattern, ctx.Facts));
        }
        var parameters = new JsonArray();
        foreach (var (k, v) in GlobalParameters(global, ctx))
        {
            parameters.Add(new JsonObject { ["name"] = k, ["value"] = v });
        }
        foreach (var o in entry.Overrides)
        {
            var p = new JsonObject { ["name"] = o.Name, ["value"] = o.Value };
            if (o.ForceString)
            {
                p["forceString"] = true;
            }
            parameters.Add(p);
        }
        var helm = new JsonObject
        {
            ["ignoreMissingValueFiles"] = true,
            ["values"] = "extraParametersNested:\n",
            ["valueFiles"] = files,
            ["parameters"] = parameters,
        };
        if (entry.FileParameters is not null)
        {
            helm["fileParameters"] = entry.FileParameters.DeepClone();
        }
        return helm;
    }

    /// <summary>The always-passed <c>global.*</c> parameters (<c>clustergroup.app.globalvalues.helmparameters</c>), in template order.</summary>
    internal static IEnumerable<(string Name, string Value)> GlobalParameters(GlobalValues global, GenerationContext ctx)
    {
        var f = ctx.Facts;
        yield return ("global.repoURL", ctx.RepoUrl);
        yield return ("global.originURL", "");
        yield return ("global.targetRevision", ctx.TargetRevision);
        yield return ("global.namespace", "$ARGOCD_APP_NAMESPACE");
        yield return ("global.pattern", global.Pattern);
        yield return ("global.clusterDomain", f.ClusterDomain);
        yield return ("global.localClusterName", f.ClusterName);
        yield return ("global.clusterVersion", f.Version);
        yield return ("global.clusterPlatform", f.Platform);
        yield return ("global.hubClusterDomain", f.HubClusterDomain);
        yield return ("global.multiSourceSupport", global.MultiSourceEnabled ? "true" : "false");
        yield return ("global.multiSourceRepoUrl", global.MultiSourceRepoUrl);
        yield return ("global.multiSourceTargetRevision", global.ClusterGroupChartVersion ?? "");
        yield return ("global.localClusterDomain", f.LocalClusterDomain.Length > 0 ? f.LocalClusterDomain : f.HubClusterDomain);
        yield return ("global.privateRepo", "false");
        yield return ("global.experimentalCapabilities", "");
    }
}
