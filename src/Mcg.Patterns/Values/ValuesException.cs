namespace Mcg.Patterns.Values;

/// <summary>A values file that cannot be read as a validated pattern: the message names the file, the line (when known) and the field.</summary>
public sealed class ValuesException(string file, int? line, string field, string problem)
    : Exception($"{file}{(line is { } l ? $": line {l}" : "")}: {(field.Length == 0 ? "" : field + ": ")}{problem}")
{
    public string File { get; } = file;
    public int? Line { get; } = line;
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
