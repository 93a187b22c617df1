namespace Mcg.Cli.Up;

/// <summary>Where <c>mcg up</c> keeps everything under its data directory; client commands find the fleet here.</summary>
public sealed class UpLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string HubDirectory => Path.Combine(Root, "hub");
    public string HubKubeconfig => Path.Combine(HubDirectory, "kubeconfig");
    public string VaultAddressFile => Path.Combine(HubDirectory, "vault-addr");
    public string VaultCaFile => Path.Combine(HubDirectory, "vault-ca.crt");
    public string ConsoleUrlFile => Path.Combine(HubDirectory, "console-url");
    public string VaultInitFile => Path.Combine(HubDirectory, "vault-init.json");
    public string RepositoryDirectory => Path.Combine(Root, "repo");
    public string LogDirectory => Path.Combine(Root, "logs");
    public string StatePath => Path.Combine(Root, "up.json");
    public string ClusterDirectory(string cluster) => Path.Combine(Root, "clusters", cluster);
    public string ClusterKubeconfig(string cluster) => Path.Combine(ClusterDirectory(cluster), "kubeconfig");
    public string AgentDirectory(string cluster) => Path.Combine(Root, "agents", cluster);
    public string BootstrapKubeconfig(string cluster) => Path.Combine(AgentDirectory(cluster), "bootstrap-kubeconfig");
    public string AgentHubKubeconfig(string cluster) => Path.Combine(AgentDirectory(cluster), "hub-kubeconfig");
}
