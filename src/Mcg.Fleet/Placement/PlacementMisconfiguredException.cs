namespace Mcg.Fleet.Placement;

/// <summary>
/// A Placement whose spec cannot be scheduled. <see cref="Plugin"/> names the upstream scheduler plugin that would
/// report it (<c>Predicate</c>, <c>TaintToleration</c>, or empty for the scheduler itself); the condition message is
/// <c>plugin:message</c> as upstream writes it.
/// </summary>
public sealed class PlacementMisconfiguredException(string plugin, string message) : Exception(message)
{
    public string Plugin { get; } = plugin;
}
