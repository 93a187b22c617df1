using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Rendering.Kustomize;

internal sealed record LabelEntry(IReadOnlyList<KeyValuePair<string, string>> Pairs, bool IncludeSelectors, bool IncludeTemplates, IReadOnlyList<FieldSpec> Fields);

internal sealed record ImageEntry(string Name, string? NewName, string? NewTag, string? Digest);

internal sealed record ReplicaEntry(string Name, int Count);

internal sealed record PatchEntry(string? Path, string? Patch, Selector? Target, bool AllowNameChange, bool AllowKindChange);

internal sealed record GeneratorOptions(
    IReadOnlyList<KeyValuePair<string, string>> Labels, IReadOnlyList<KeyValuePair<string, string>> Annotations, bool DisableNameSuffixHash, bool Immutable);

internal sealed record GeneratorEntry(
    string Kind, string Name, string? Namespace, GeneratorBehavior Behavior, IReadOnlyList<string> Literals,
    IReadOnlyList<string> Files, IReadOnlyList<string> Envs, string? Type, GeneratorOptions? Options);

internal sealed record SortOptions(bool Fifo, IReadOnlyList<string>? OrderFirst, IReadOnlyList<string>? OrderLast);

/// <summary>A parsed kustomization file (kind Kustomization or Component). Fields not listed here are rejected.</summary>
internal sealed class Kustomization
{
    private static readonly HashSet<string> TopFields =
    [
        "apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace", "namePrefix", "nameSuffix",
        "commonLabels", "labels", "commonAnnotations", "images", "imageTags", "replicas", "patches", "patchesStrategicMerge",
        "patchesJson6902", "configMapGenerator", "secretGenerator", "generatorOptions", "replacements", "sortOptions",
    ];

    private static readonly Dictionary<string, string> Unsupported = new()
    {
        ["openapi"] = "custom OpenAPI schemas are not supported",
        ["crds"] = "CRD-declared merge keys and name references are not supported",
        ["vars"] = "vars are deprecated; use replacements",
        ["configurations"] = "custom transformer configurations are not supported",
        ["generators"] = "generator plugins are not supported",
        ["transformers"] = "transformer plugins are not supported",
        ["validators"] = "validator plugins are not supported",
        ["helmCharts"] = "Helm chart inflation is not supported",
        ["helmGlobals"] = "Helm chart inflation is not supported",
        ["helmChartInflationGenerator"] = "Helm chart inflation is not supported",
        ["inventory"] = "inventory objects are not supported",
        ["buildMetadata"] = "build metadata annotations are not supported",
    };

    public required string File { get; init; }
    public required string Directory { get; init; }
    public bool IsComponent { get; init; }
    public IReadOnlyList<string> Resources { get; init; } = [];
    public IReadOnlyList<string> Components { get; init; } = [];
    public string? Namespace { get; init; }
    public string? NamePrefix { get; init; }
    public string? NameSuffix { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> CommonLabels { get; init; } = [];
    public IReadOnlyList<LabelEntry> Labels { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> CommonAnnotations { get; init; } = [];
    public IReadOnlyList<ImageEntry> Images { get; init; } = [];
    public IReadOnlyList<ReplicaEntry> Replicas { get; init; } = [];
    public IReadOnlyList<PatchEntry> Patches { get; init; } = [];
    public IReadOnlyList<string> PatchesStrategicMerge { get; init; } = [];
    public IReadOnlyList<PatchEntry> PatchesJson6902 { get; init; } = [];
    public IReadOnlyList<GeneratorEntry> Generators { get; init; } = [];
    public GeneratorOptions? GeneratorOptions { get; init; }
    public IReadOnlyList<KustomizationReader> Replacements { get; init; } = [];
    public SortOptions? SortOptions { get; init; }

    /// <param name="applicationOptions">An Application's <c>spec.source.kustomize</c>, applied to this (root) kustomization.</param>
    public static Kustomization Load(FileLoader loader, string file, JsonObject? applicationOptions = null)
    {
        var display = loader.Display(file);
        var text = loader.ReadText(file);
        if (KustomizeYaml.ParseYaml11(text, display) is not JsonObject obj)
        {
            throw new RenderException("a kustomization file must hold exactly one YAML map", display);
        }
        if (applicationOptions is not null)
        {
            ApplicationKustomizeOptions.Apply(obj, applicationOptions);
        }
        var r = new KustomizationReader(obj, display, "");
        r.OnlyFields(TopFields, Unsupported);
        // kustomize reads but does not use the kustomization's own metadata.
        r.Child("metadata")?.OnlyFields(new HashSet<string> { "name", "namespace", "labels", "annotations" });
        var kind = r.String("kind") ?? "Kustomization";
        var apiVersion = r.String("apiVersion");
        var expectedVersion = kind == "Component" ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1";
        if (kind is not ("Kustomization" or "Component"))
        {
            throw new RenderException($"kind should be Kustomization or Component, not \"{kind}\"", display);
        }
        if (apiVersion is not null && apiVersion != expectedVersion)
        {
            throw new RenderException($"apiVersion for {kind} should be {expectedVersion}", display);
        }
        return new Kustomization
        {
            File = file,
            Directory = Path.GetDirectoryName(file)!,
            IsComponent = kind == "Component",
            Resources = [.. r.Strings("resources"), .. r.Strings("bases")],
            Components = r.Strings("components"),
            Namespace = r.String("namespace"),
            NamePrefix = r.String("namePrefix"),
            NameSuffix = r.String("nameSuffix"),
            CommonLabels = r.StringMap("commonLabels"),
            Labels = r.Children("labels").Select(ReadLabel).ToList(),
            CommonAnnotations = r.StringMap("commonAnnotations"),
            Images = [.. r.Children("images").Select(ReadImage), .. r.Children("imageTags").Select(ReadImage)],
            Replicas = r.Children("replicas").Select(ReadReplica).ToList(),
            Patches = r.Children("patches").Select(c => ReadPatch(c, json6902: false)).ToList(),
            PatchesStrategicMerge = r.Strings("patchesStrategicMerge"),
            PatchesJson6902 = r.Children("patchesJson6902").Select(c => ReadPatch(c, json6902: true)).ToList(),
            Generators =
            [
                .. r.Children("configMapGenerator").Select(c => ReadGenerator(c, "ConfigMap")),
                .. r.Children("secretGenerator").Select(c => ReadGenerator(c, "Secret")),
            ],
            GeneratorOptions = r.Child("generatorOptions") is { } g ? ReadOptions(g) : null,
            Replacements = r.Children("replacements"),
            SortOptions = r.Child("sortOptions") is { } s ? ReadSortOptions(s) : null,
        };
    }

    private static LabelEntry ReadLabel(KustomizationReader r)
    {
        r.OnlyFields(new HashSet<string> { "pairs", "includeSelectors", "includeTemplates", "fields" });
        var fields = r.Children("fields").Select(ReadFieldSpec).ToList();
        return new LabelEntry(r.StringMap("pairs"), r.Bool("includeSelectors"), r.Bool("includeTemplates"), fields);
    }

    private static FieldSpec ReadFieldSpec(KustomizationReader r)
    {
        r.OnlyFields(new HashSet<string> { "path", "group", "version", "kind", "create" });
        var path = r.String("path") ?? throw r.Error("a field spec needs a path");
        return new FieldSpec(new GroupVersionKind(r.String("group") ?? "", r.String("version") ?? "", r.String("kind") ?? ""), path, r.Bool("create"));
    }

    private static ImageEntry ReadImage(KustomizationReader r)
    {
        r.OnlyFields(new HashSet<string> { "name", "newName", "newTag", "digest" }, new Dictionary<string, string> { ["tagSuffix"] = "image tag suffixes are not supported" });
        return new ImageEntry(r.String("name") ?? throw r.Error("an image needs a name"), r.String("newName"), r.String("newTag"), r.String("digest"));
    }

    private static ReplicaEntry ReadReplica(KustomizationReader r)
    {
        r.OnlyFields(new HashSet<string> { "name", "count" });
        return new ReplicaEntry(r.String("name") ?? throw r.Error("a replica needs a name"), r.Int("count") ?? 0);
    }

    private static PatchEntry ReadPatch(KustomizationReader r, bool json6902)
    {
        r.OnlyFields(new HashSet<string> { "path", "patch", "target", "options" });
        var options = r.Child("options");
        options?.OnlyFields(new HashSet<string> { "allowNameChange", "allowKindChange" });
        var target = r.Child("target") is { } t ? Selector.Read(t) : null;
        var entry = new PatchEntry(r.String("path"), r.String("patch"), target, options?.Bool("allowNameChange") ?? false, options?.Bool("allowKindChange") ?? false);
        if (string.IsNullOrWhiteSpace(entry.Patch) && entry.Path is null)
        {
            throw r.Error("must specify one of patch and path");
        }
        if (!string.IsNullOrWhiteSpace(entry.Patch) && entry.Path is not null)
        {
            throw r.Error("patch and path can't be set at the same time");
        }
        if (json6902 && target is null)
        {
            throw r.Error("must specify a target for a JSON patch");
        }
        return entry;
    }

    private static GeneratorEntry ReadGenerator(KustomizationReader r, string kind)
    {
        var fields = new HashSet<string> { "name", "namespace", "behavior", "literals", "files", "envs", "env", "options" };
        if (kind == "Secret")
        {
            fields.Add("type");
        }
        r.OnlyFields(fields);
        var behavior = r.String("behavior") switch
        {
            null or "" or "create" => GeneratorBehavior.Create,
            "merge" => GeneratorBehavior.Merge,
            "replace" => GeneratorBehavior.Replace,
            var other => throw r.Error($"unknown generator behavior \"{other}\""),
        };
        var envs = r.Strings("envs").ToList();
        if (r.String("env") is { } env)
        {
            envs.Add(env);
        }
        return new GeneratorEntry(kind, r.String("name") ?? "", r.String("namespace"), behavior, r.Strings("literals"), r.Strings("files"),
            envs, kind == "Secret" ? r.String("type") : null, r.Child("options") is { } o ? ReadOptions(o) : null);
    }

    private static GeneratorOptions ReadOptions(KustomizationReader r)
    {
        r.OnlyFields(new HashSet<string> { "labels", "annotations", "disableNameSuffixHash", "immutable" });
        return new GeneratorOptions(r.StringMap("labels"), r.StringMap("annotations"), r.Bool("disableNameSuffixHash"), r.Bool("immutable"));
    }

    private static SortOptions ReadSortOptions(KustomizationReader r)
    {
        r.OnlyFields(new HashSet<string> { "order", "legacySortOptions" });
        var legacy = r.Child("legacySortOptions");
        legacy?.OnlyFields(new HashSet<string> { "orderFirst", "orderLast" });
        return r.String("order") switch
        {
            "fifo" when legacy is null => new SortOptions(true, null, null),
            "legacy" or null => new SortOptions(false, legacy?.Object["orderFirst"] is null ? null : legacy.Strings("orderFirst"),
                legacy?.Object["orderLast"] is null ? null : legacy.Strings("orderLast")),
            "fifo" => throw r.Error("legacySortOptions may only be set with order: legacy"),
            var other => throw r.Error($"unknown sort order \"{other}\""),
        };
    }
}
