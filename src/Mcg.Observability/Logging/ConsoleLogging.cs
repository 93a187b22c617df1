using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Observability.Logging;

public enum LogFormat
{
    /// <summary>One human-readable line per event.</summary>
    Text,

    /// <summary>One JSON object per line per event, with scopes (controller, object, cluster) as properties.</summary>
    Json,
}

/// <summary>The console logging of long-running mcg processes (hub, agent, virtual cluster).</summary>
public static class ConsoleLogging
{
    public static ILoggerFactory Create(LogFormat format, LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(b =>
        {
            if (format == LogFormat.Json)
            {
                b.AddJsonConsole(o =>
                {
                    o.IncludeScopes = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                    o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
                });
            }
            else
            {
                b.AddSimpleConsole(o => o.SingleLine = true);
            }
            b.SetMinimumLevel(minimum);
        });

    /// <summary>
    /// Attaches <paramref name="fields"/> (e.g. cluster = the agent's cluster) to every event logged through
    /// <paramref name="loggers"/> from this async flow on, until disposed.
    /// </summary>
    public static IDisposable? BeginProcessScope(ILoggerFactory loggers, params KeyValuePair<string, object?>[] fields) =>
        loggers.CreateLogger("mcg").BeginScope(new LogScope(fields));
}
