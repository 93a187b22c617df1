namespace Mcg.ApiServer.Resources;

/// <summary>One served resource: what discovery advertises and what the handlers need to know about it.</summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    bool HasStatus,
    IReadOnlyList<string> Verbs,
    bool BuiltIn = true,
    IReadOnlyList<string>? Categories = null,
    IReadOnlyList<PrinterColumn>? PrinterColumns = null,
    ScaleSubresource? Scale = null)
{
    public static readonly IReadOnlyList<string> AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>Storage identity: the same objects whatever version they are read through.</summary>
    public string StorageKey => $"{Group}/{Plural}";

    /// <summary>Kinds whose delete answers with the object rather than a Status (kubernetes/kubernetes#78343).</summary>
    public bool DeleteReturnsObject => BuiltIn && Group.Length == 0 && Plural is "pods" or "namespaces" or "persistentvolumes" or "persistentvolumeclaims" or "serviceaccounts";

    /// <summary>
    /// Whether metadata.generation is kept (1 on create, bumped by spec changes): every custom resource, and the built-ins
    /// whose upstream strategies set it (workloads, Ingress, NetworkPolicy, PodDisruptionBudget, CRDs…); ConfigMaps,
    /// Secrets, Namespaces, RBAC objects and the like have none.
    /// </summary>
    public bool TracksGeneration => !BuiltIn || (Group, Plural) is ("apps", "deployments" or "replicasets" or "statefulsets" or "daemonsets")
        or ("batch", "jobs" or "cronjobs") or ("", "replicationcontrollers") or ("networking.k8s.io", "ingresses" or "networkpolicies")
        or ("policy", "poddisruptionbudgets") or ("apiextensions.k8s.io", "customresourcedefinitions") or ("snapshot.storage.k8s.io", _);

    /// <summary>Whether strategic merge patch applies (built-in kinds only; custom resources get 415 as upstream).</summary>
    public bool SupportsStrategicMerge => BuiltIn;
}

/// <summary>An additionalPrinterColumns entry of a CRD, or a built-in table column (whose cell may be computed by <see cref="Value"/>).</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description = "", int Priority = 0, string Format = "",
    Func<System.Text.Json.Nodes.JsonObject, System.Text.Json.Nodes.JsonNode?>? Value = null);

/// <summary>
/// Where a kind keeps what its <c>scale</c> subresource (autoscaling/v1 Scale) shows: JSON paths as a CRD's
/// <c>subresources.scale</c> gives them; a null <see cref="LabelSelectorPath"/> means the LabelSelector at <c>.spec.selector</c>
/// (the built-in workloads), otherwise a path to a selector string.
/// </summary>
public sealed record ScaleSubresource(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath)
{
    public static readonly ScaleSubresource Workload = new(".spec.replicas", ".status.replicas", null);
}
