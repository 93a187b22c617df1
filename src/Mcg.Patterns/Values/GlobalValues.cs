using System.Text.Json.Nodes;

namespace Mcg.Patterns.Values;

/// <summary>
/// The pattern-wide settings of <c>values-global.yaml</c> (and of any layer that repeats them): <c>global.pattern</c>,
/// <c>global.options</c>, <c>main.clusterGroupName</c>, <c>main.multiSourceConfig</c>.
/// </summary>
public sealed record GlobalValues(
    string Pattern,
    string ClusterGroupName,
    JsonNode? SyncPolicy,
    string InstallPlanApproval,
    bool UseCsv,
    long ApplicationRetryLimit,
    bool SingleArgoCd,
    IReadOnlyList<string> ExtraValueFiles,
    bool MultiSourceEnabled,
    string? ClusterGroupChartVersion,
    string MultiSourceRepoUrl,
    bool SecretLoaderDisabled,
    string SecretStoreBackend)
{
    /// <summary>Where new-format charts come from when an application names none (<c>global.multiSourceRepoUrl</c>).</summary>
    public const string DefaultChartRepository = "https://charts.validatedpatterns.io";

    public static GlobalValues Read(ValuesDocument doc)
    {
        var root = ValuesNode.Root(doc);
        var global = root["global"];
        global.Map();
        var options = global["options"];
        options.Map();
        var main = root["main"];
        main.Map();
        var multi = main["multiSourceConfig"];
        multi.Map();
        var syncPolicy = options["syncPolicy"];
        if (syncPolicy.Node is JsonValue && syncPolicy.String() is { } text && !IsSyncPolicyWord(text))
        {
            throw syncPolicy.Error($"must be Automatic, Manual or an Argo CD syncPolicy object, not \"{text}\"");
        }
        return new GlobalValues(
            global["pattern"].RequiredString(),
            main["clusterGroupName"].RequiredString(),
            syncPolicy.Raw(),
            options["installPlanApproval"].String() ?? "Automatic",
            options["useCSV"].Bool() ?? false,
            options["applicationRetryLimit"].Integer() ?? 20,
            global["singleArgoCD"].Bool() ?? false,
            global["extraValueFiles"].Strings(),
            multi["enabled"].Bool() ?? false,
            multi["clusterGroupChartVersion"].String(),
            global["multiSourceRepoUrl"].String() ?? DefaultChartRepository,
            global["secretLoader"]["disabled"].Bool() ?? false,
            global["secretStore"]["backend"].String() ?? "vault");
    }

    internal static bool IsSyncPolicyWord(string text) =>
        text.Equals("Automatic", StringComparison.OrdinalIgnoreCase) || text.Equals("Manual", StringComparison.OrdinalIgnoreCase);
}
