namespace Mcg.Fleet.Policy;

/// <summary>The compliance states of policies (<c>status.compliant</c>) and how several combine.</summary>
public static class ComplianceStates
{
    public const string Compliant = "Compliant";
    public const string NonCompliant = "NonCompliant";
    public const string Pending = "Pending";

    /// <summary>
    /// Combines per-cluster or per-template states as upstream does: NonCompliant wins, then Pending, then unknown
    /// (null), and Compliant only when all are Compliant. No states at all is unknown (null).
    /// </summary>
    public static string? Aggregate(IEnumerable<string?> states)
    {
        var any = false;
        var pending = false;
        var unknown = false;
        foreach (var state in states)
        {
            any = true;
            switch (state)
            {
                case NonCompliant:
                    return NonCompliant;
                case Pending:
                    pending = true;
                    break;
                case Compliant:
                    break;
                default:
                    unknown = true;
                    break;
            }
        }
        return !any ? null : pending ? Pending : unknown ? null : Compliant;
    }

    /// <summary>The state a compliance message starts with (<c>Compliant; …</c>, <c>NonCompliant; …</c>, <c>Pending; …</c>), case-insensitively.</summary>
    public static string? FromMessage(string? message)
    {
        var text = message?.TrimStart() ?? "";
        return text.StartsWith(Compliant, StringComparison.OrdinalIgnoreCase) ? Compliant
            : text.StartsWith(NonCompliant, StringComparison.OrdinalIgnoreCase) ? NonCompliant
            : text.StartsWith(Pending, StringComparison.OrdinalIgnoreCase) ? Pending
            : null;
    }
}
