using System.Collections;

namespace Mcg.Kube.Runtime;

/// <summary>
/// Fields attached to every log event within a scope (<c>ILogger.BeginScope(new LogScope(...))</c>): structured
/// loggers (the JSON console) show them as properties, text loggers as <c>key=value</c> pairs.
/// </summary>
public sealed class LogScope(params KeyValuePair<string, object?>[] fields) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => fields.Length;

    public KeyValuePair<string, object?> this[int index] => fields[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(' ', fields.Select(f => $"{f.Key}={f.Value}"));
}
