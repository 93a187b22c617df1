using System.CommandLine;
using k8s;
using Mcg.Kube.Client;

namespace Mcg.Cli.Commands;

/// <summary>The connection options every client command shares.</summary>
public sealed class KubeOptions
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)" };

    public Option<string> AppNamespace { get; } = new("--app-namespace", "-N") { Description = "Namespace of the Applications", DefaultValueFactory = _ => "argocd" };

    public void AddTo(Command command)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(AppNamespace);
    }

    public KubernetesClientKubeClient Connect(ParseResult parse)
    {
        var path = parse.GetValue(Kubeconfig) ?? Environment.GetEnvironmentVariable("KUBECONFIG");
        var config = string.IsNullOrEmpty(path)
            ? KubernetesClientConfiguration.BuildDefaultConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        return new KubernetesClientKubeClient(config);
    }
}
