namespace Mcg.GitOps.Controller;

public sealed class ApplicationControllerOptions
{
    /// <summary>Where AppProjects (and the default project) live; Applications are watched in every namespace.</summary>
    public string ControlNamespace { get; set; } = "argocd";

    /// <summary>How often each application's revision is resolved again (Argo CD's timeout.reconciliation, 180 s upstream).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    public int Workers { get; set; } = 4;

    /// <summary>How long a self-heal of a managed-cluster app waits after the previous sync ended (Argo CD's self-heal timeout, 5 s upstream).</summary>
    public TimeSpan SelfHealTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan WavePollInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}
