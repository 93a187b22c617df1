using Mcg.Patterns.Generation;

namespace Mcg.Patterns.Values;

/// <summary>
/// A cluster group of a pattern repository as the clustergroup chart sees it on one cluster: the value files the
/// operator passes (<see cref="ValueFiles.Global"/>, missing ones ignored) layered in order, then read.
/// </summary>
public sealed record PatternValues(GlobalValues Global, ClusterGroupValues ClusterGroup, ValuesDocument Document)
{
    public const string GlobalFile = "values-global.yaml";

    /// <summary>Reads <c>values-global.yaml</c> alone (what <c>mcg install</c> validates before anything else).</summary>
    public static GlobalValues ReadGlobal(string repositoryRoot) => GlobalValues.Read(LoadRequired(repositoryRoot, GlobalFile));

    /// <summary>
    /// Reads cluster group <paramref name="groupName"/> (default: <c>main.clusterGroupName</c>) for a cluster with
    /// <paramref name="facts"/>, with Helm <paramref name="parameters"/> on top (a managed cluster group's
    /// <c>helmOverrides</c>). <c>values-global.yaml</c> and <c>values-&lt;group&gt;.yaml</c> must exist.
    /// </summary>
    public static PatternValues Read(string repositoryRoot, string? groupName, ClusterFacts facts, IReadOnlyList<HelmOverride>? parameters = null,
        string parametersSource = "parameters")
    {
        var globalDoc = LoadRequired(repositoryRoot, GlobalFile);
        var global = GlobalValues.Read(globalDoc);
        var group = string.IsNullOrEmpty(groupName) ? global.ClusterGroupName : groupName;
        var groupFile = $"values-{group}.yaml";
        var doc = globalDoc.Merge(LoadRequired(repositoryRoot, groupFile));
        foreach (var reference in ValueFiles.Global(group, facts, global.ExtraValueFiles, includeClusterName: true).Skip(2))
        {
            if (ValueFiles.LocalPath(repositoryRoot, reference) is { } path && File.Exists(path))
            {
                doc = doc.Merge(ValuesDocument.Load(path, reference.TrimStart('/')));
            }
        }
        foreach (var p in parameters ?? [])
        {
            doc = doc.WithParameter(p.Name, p.Value, p.ForceString, parametersSource);
        }
        // The operator (hub) and the acm chart (spokes) pass clusterGroup.name as a parameter: it wins over the file.
        return new PatternValues(GlobalValues.Read(doc), ClusterGroupValues.Read(doc) with { Name = group }, doc);
    }

    private static ValuesDocument LoadRequired(string root, string file)
    {
        var path = Path.Combine(root, file);
        if (!File.Exists(path))
        {
            throw new ValuesException(file, null, "", "not found in the pattern repository");
        }
        return ValuesDocument.Load(path, file);
    }
}
