namespace Mcg.Patterns.Controller;

public sealed class PatternControllerOptions
{
    /// <summary>Where generated Applications and AppProjects go: the hub application controller's control namespace.</summary>
    public string ArgoNamespace { get; set; } = "argocd";

    /// <summary>The hub's facts (upstream read from the Infrastructure, ClusterVersion and Ingress objects).</summary>
    public string HubClusterName { get; set; } = "hub";
    public string HubPlatform { get; set; } = "None";
    public string HubVersion { get; set; } = "4.18";

    /// <summary>Clusters' domains are <c>&lt;name&gt;.&lt;BaseDomain&gt;</c>, their applications at <c>apps.&lt;name&gt;.&lt;BaseDomain&gt;</c>.</summary>
    public string BaseDomain { get; set; } = "mcg.local";

    /// <summary>How often each Pattern's repository is checked for new commits (and generated objects re-asserted).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public string FieldManager { get; set; } = "patterns-operator";
}
