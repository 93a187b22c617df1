using System.CommandLine;
using Mcg.Observability.Logging;

namespace Mcg.Cli.Commands;

/// <summary><c>--log-format text|json</c> of the long-running commands (hub, agent, cluster serve).</summary>
public static class LogFormatOption
{
    public static Option<LogFormat> Create() => new("--log-format")
    {
        Description = "Console log format: text, or json (one JSON object per line with scopes such as controller and object)",
        DefaultValueFactory = _ => LogFormat.Text,
    };
}
