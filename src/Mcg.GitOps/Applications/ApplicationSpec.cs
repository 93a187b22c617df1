using System.Text.Json.Nodes;
using Mcg.GitOps.Rendering;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Applications;

/// <summary>An Argo CD <c>spec.source</c> (or one entry of <c>spec.sources</c>), upstream field names.</summary>
public sealed record ApplicationSource(
    string RepoUrl,
    string Path,
    string TargetRevision,
    string? Ref,
    string? Chart,
    DirectoryOptions Directory,
    JsonObject? Kustomize,
    JsonObject? Helm)
{
    public static ApplicationSource Parse(JsonObject src, string field)
    {
        var repo = src.GetString("repoURL");
        if (string.IsNullOrWhiteSpace(repo))
        {
            throw new InvalidSpecException($"{field}.repoURL is required");
        }
        var dir = src["directory"] as JsonObject;
        return new ApplicationSource(
            repo,
            src.GetString("path") ?? "",
            src.GetString("targetRevision") is { Length: > 0 } rev ? rev : "HEAD",
            src.GetString("ref"),
            src.GetString("chart"),
            new DirectoryOptions(dir?["recurse"]?.GetValue<bool>() ?? false, dir?.GetString("include"), dir?.GetString("exclude")),
            src["kustomize"] as JsonObject,
            src["helm"] as JsonObject);
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["repoURL"] = RepoUrl, ["path"] = Path, ["targetRevision"] = TargetRevision };
        if (Ref is not null)
        {
            o["ref"] = Ref;
        }
        if (Chart is not null)
        {
            o["chart"] = Chart;
        }
        if (Directory != new DirectoryOptions())
        {
            o["directory"] = new JsonObject { ["recurse"] = Directory.Recurse, ["include"] = Directory.Include, ["exclude"] = Directory.Exclude };
        }
        return o;
    }
}

/// <summary>Where an application deploys: a cluster (by server URL or name) and a default namespace.</summary>
public sealed record ApplicationDestination(string? Server, string? Name, string Namespace)
{
    public const string InClusterServer = "https://kubernetes.default.svc";

    public bool IsInCluster => Server == InClusterServer || Name == "in-cluster" || (Server is null && Name is null);
}

public sealed record SyncPolicy(bool Automated, bool Prune, bool SelfHeal, bool AllowEmpty, IReadOnlySet<string> Options, RetryPolicy? Retry)
{
    public bool Has(string option) => Options.Contains(option);

    /// <summary>A Go duration (<c>5s</c>, <c>3m</c>) as Argo CD writes backoff fields; absent means the default.</summary>
    private static TimeSpan Duration(string? text, TimeSpan fallback) =>
        string.IsNullOrWhiteSpace(text) ? fallback
        : GoDuration.TryParse(text, out var d) ? d
        : throw new InvalidSpecException($"syncPolicy.retry.backoff: invalid duration \"{text}\"");

    public static SyncPolicy Parse(JsonObject? policy)
    {
        var automated = policy?["automated"] as JsonObject;
        var enabled = automated is not null && automated["enabled"]?.GetValue<bool>() != false;
        var options = (policy?["syncOptions"] as JsonArray)?.Select(o => o?.GetValue<string>() ?? "").Where(o => o.Length > 0).ToHashSet() ?? [];
        RetryPolicy? retry = null;
        if (policy?["retry"] is JsonObject r)
        {
            var backoff = r["backoff"] as JsonObject;
            retry = new RetryPolicy(
                r["limit"]?.GetValue<long>() ?? 0,
                Duration(backoff?.GetString("duration"), TimeSpan.FromSeconds(5)),
                backoff?["factor"]?.GetValue<long>() ?? 2,
                Duration(backoff?.GetString("maxDuration"), TimeSpan.FromMinutes(3)));
        }
        return new SyncPolicy(enabled, automated?["prune"]?.GetValue<bool>() ?? false, automated?["selfHeal"]?.GetValue<bool>() ?? false,
            automated?["allowEmpty"]?.GetValue<bool>() ?? false, options, retry);
    }
}

/// <summary><c>syncPolicy.retry</c>: how often and how long to wait between failed sync attempts.</summary>
public sealed record RetryPolicy(long Limit, TimeSpan Duration, long Factor, TimeSpan MaxDuration)
{
    public TimeSpan Delay(int attempt)
    {
        var seconds = Duration.TotalSeconds * Math.Pow(Factor, attempt);
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxDuration.TotalSeconds));
    }
}

/// <summary>The parsed spec of an <c>argoproj.io/v1alpha1</c> Application.</summary>
public sealed record ApplicationSpec(
    string Project,
    IReadOnlyList<ApplicationSource> Sources,
    bool MultiSource,
    ApplicationDestination Destination,
    SyncPolicy SyncPolicy,
    JsonArray? IgnoreDifferences,
    int RevisionHistoryLimit)
{
    public static ApplicationSpec Parse(JsonObject app)
    {
        var spec = app["spec"] as JsonObject ?? throw new InvalidSpecException("spec is required");
        List<ApplicationSource> sources;
        var multi = false;
        if (spec["sources"] is JsonArray { Count: > 0 } many)
        {
            multi = true;
            sources = many.Select((s, i) => ApplicationSource.Parse(s as JsonObject ?? throw new InvalidSpecException($"spec.sources[{i}] must be an object"), $"spec.sources[{i}]")).ToList();
        }
        else if (spec["source"] is JsonObject one)
        {
            sources = [ApplicationSource.Parse(one, "spec.source")];
        }
        else
        {
            throw new InvalidSpecException("spec.source or spec.sources is required");
        }
        var dest = spec["destination"] as JsonObject ?? throw new InvalidSpecException("spec.destination is required");
        var server = dest.GetString("server");
        var name = dest.GetString("name");
        if (!string.IsNullOrEmpty(server) && !string.IsNullOrEmpty(name))
        {
            throw new InvalidSpecException("application destination can't have both name and server defined");
        }
        return new ApplicationSpec(
            spec.GetString("project") is { Length: > 0 } p ? p : throw new InvalidSpecException("spec.project is required"),
            sources,
            multi,
            new ApplicationDestination(string.IsNullOrEmpty(server) ? null : server, string.IsNullOrEmpty(name) ? null : name, dest.GetString("namespace") ?? ""),
            SyncPolicy.Parse(spec["syncPolicy"] as JsonObject),
            spec["ignoreDifferences"] as JsonArray,
            (int)(spec["revisionHistoryLimit"]?.GetValue<long>() ?? 10));
    }
}

/// <summary>An Application spec that cannot be acted on (reported as the InvalidSpecError condition).</summary>
public sealed class InvalidSpecException(string message) : Exception(message);
