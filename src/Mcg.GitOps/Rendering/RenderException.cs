namespace Mcg.GitOps.Rendering;

/// <summary>A render failure that names where it happened: the file (relative to the source root), the line when known, the field.</summary>
public sealed class RenderException(string message, string? file = null, int? line = null) : Exception(Format(message, file, line))
{
    public string? File { get; } = file;
    public int? Line { get; } = line;

    private static string Format(string message, string? file, int? line) =>
        file is null ? message : line is null ? $"{file}: {message}" : $"{file}:{line}: {message}";
}
