using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mcg.Fleet.Tests.Placement;

/// <summary>Keeps the last log lines of the in-process controllers, to explain a timed-out expectation.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private const int MaxLines = 300;
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public string Tail(int count = 60) => string.Join(Environment.NewLine, _lines.TakeLast(count));

    internal void Write(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }
}
