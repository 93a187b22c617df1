using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Tests.Placement;

internal sealed class CapturingLogger(CapturingLoggerFactory factory, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            factory.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category.Split('.')[^1]}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
        }
    }
}
