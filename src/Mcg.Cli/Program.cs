using System.CommandLine;
using Mcg.Cli.Commands;

var root = new RootCommand("mcg — MulticloudGitOps: GitOps delivery, fleet management, secrets and storage across Kubernetes clusters");
root.Subcommands.Add(ClusterCommands.Create());
root.Subcommands.Add(GitOpsCommands.Create());
root.Subcommands.Add(HubCommands.Create());
root.Subcommands.Add(AgentCommands.Create());
root.Subcommands.Add(AppCommands.Create());
root.Subcommands.Add(RenderCommand.Create());
root.Subcommands.Add(VaultCommands.Create());
root.Subcommands.Add(SecretsCommands.Create());
root.Subcommands.Add(PolicyCommands.Create());
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(InstallCommands.Install());
root.Subcommands.Add(InstallCommands.Uninstall());
// Long-running commands stop their children and flush state on SIGTERM/Ctrl-C; give them time to do so.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
