namespace Mcg.Kube.Patching;

/// <summary>A patch that is malformed or does not apply to the target document.</summary>
public sealed class PatchException : Exception
{
    public PatchException(string message, bool isInvalidRequest)
        : base(message)
    {
        IsInvalidRequest = isInvalidRequest;
    }

    /// <summary>
    /// True when the patch document itself is malformed (Kubernetes answers 400 Bad Request);
    /// false when a well-formed patch cannot be applied to this object (422 Unprocessable Entity).
    /// </summary>
    public bool IsInvalidRequest { get; }

    internal static PatchException Invalid(string message) => new(message, isInvalidRequest: true);

    internal static PatchException Unprocessable(string message) => new(message, isInvalidRequest: false);
}
