using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Applications;

/// <summary>What an AppProject permits: source repositories, destinations and resource kinds (Argo CD semantics, globs, <c>!</c> denies).</summary>
public sealed class AppProjectPolicy(JsonObject project)
{
    private readonly JsonObject _spec = project["spec"] as JsonObject ?? new JsonObject();

    public string Name => project.Name() ?? "";

    public string? CheckSource(string repoUrl) =>
        AllowedByList(Strings(_spec["sourceRepos"]), repoUrl)
            ? null
            : $"application repo {repoUrl} is not permitted in project '{Name}'";

    public string? CheckDestination(ApplicationDestination destination, string? serverUrl)
    {
        var entries = (_spec["destinations"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var ns = destination.Namespace;
        bool Matches(JsonObject d, bool deny)
        {
            var server = d.GetString("server");
            var name = d.GetString("name");
            var nsPattern = d.GetString("namespace") ?? "*";
            var nsDeny = nsPattern.StartsWith('!');
            var clusterOk = server is not null && serverUrl is not null && Glob(server.TrimStart('!'), serverUrl)
                || name is not null && destination.Name is not null && Glob(name.TrimStart('!'), destination.Name);
            return deny ? clusterOk && nsDeny && Glob(nsPattern[1..], ns) : clusterOk && !nsDeny && Glob(nsPattern, ns);
        }
        if (entries.Any(d => Matches(d, deny: true)) || !entries.Any(d => Matches(d, deny: false)))
        {
            var target = destination.Name is not null ? $"name {destination.Name}" : $"server {serverUrl}";
            return $"application destination {{{target} {ns}}} is not permitted in project '{Name}'";
        }
        return null;
    }

    /// <summary>Null when the project allows managing <paramref name="group"/>/<paramref name="kind"/>, else the reason.</summary>
    public string? CheckResource(string group, string kind, bool namespaced)
    {
        bool In(string field) => (_spec[field] as JsonArray)?.OfType<JsonObject>()
            .Any(e => Glob(e.GetString("group") ?? "", group) && Glob(e.GetString("kind") ?? "", kind)) ?? false;
        var shown = group.Length == 0 ? kind : $"{group}/{kind}";
        if (namespaced)
        {
            if (In("namespaceResourceBlacklist") || _spec["namespaceResourceWhitelist"] is JsonArray { Count: > 0 } && !In("namespaceResourceWhitelist"))
            {
                return $"resource {shown} is not permitted in project {Name}.";
            }
            return null;
        }
        return !In("clusterResourceWhitelist") || In("clusterResourceBlacklist")
            ? $"resource {shown} is not permitted in project {Name}."
            : null;
    }

    private static bool AllowedByList(IReadOnlyList<string> patterns, string value) =>
        !patterns.Any(p => p.StartsWith('!') && Glob(p[1..], value)) && patterns.Any(p => !p.StartsWith('!') && Glob(p, value));

    private static List<string> Strings(JsonNode? node) =>
        (node as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToList() ?? [];

    /// <summary>gobwas-style glob: <c>*</c> any run, <c>?</c> one character; an empty pattern matches only the empty value.</summary>
    public static bool Glob(string pattern, string value)
    {
        if (pattern == "*")
        {
            return true;
        }
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
        return Regex.IsMatch(value, regex);
    }
}
