namespace Mcg.Secrets.ValuesSecret;

/// <summary>One validation problem, naming the file, line, secret and field.</summary>
public sealed record ValuesSecretError(string File, long? Line, string? Secret, string? Field, string Message)
{
    public override string ToString()
    {
        var where = Line is { } l ? $"{File}:{l}" : File;
        var what = (Secret, Field) switch
        {
            (not null, not null) => $"secret \"{Secret}\" field \"{Field}\": ",
            (not null, null) => $"secret \"{Secret}\": ",
            _ => "",
        };
        return $"{where}: {what}{Message}";
    }
}

/// <summary>A values-secret file is invalid; <see cref="Errors"/> lists every problem found (nothing was written).</summary>
public sealed class ValuesSecretValidationException : Exception
{
    public ValuesSecretValidationException(IReadOnlyList<ValuesSecretError> errors)
        : base($"{errors.Count} error{(errors.Count == 1 ? "" : "s")} in the values-secret file:\n" + string.Join('\n', errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public IReadOnlyList<ValuesSecretError> Errors { get; }
}

/// <summary>A values-secret file could not be found or read.</summary>
public sealed class ValuesSecretFileException : Exception
{
    public ValuesSecretFileException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>Asks the user for values (<c>onMissingValue: prompt</c>).</summary>
public interface ISecretPrompter
{
    /// <summary>Reads a secret without echo.</summary>
    string ReadSecret(string prompt);

    /// <summary>Reads a file path.</summary>
    string ReadPath(string prompt);
}
