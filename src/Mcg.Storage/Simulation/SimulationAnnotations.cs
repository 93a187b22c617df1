namespace Mcg.Storage.Simulation;

/// <summary>The few annotations through which users (and tests) steer the simulation; nothing else is simulator-specific.</summary>
public static class SimulationAnnotations
{
    /// <summary>On a Node: "true" while the machine is down (set by <c>mcg cluster node fail</c>).</summary>
    public const string NodeFailed = "sim.mcg.io/failed";

    /// <summary>On a Node: its disks as JSON <c>[{"path":"/dev/sdb","size":"512Gi"}]</c> (what a node's lsblk would show).</summary>
    public const string NodeDisks = "sim.mcg.io/disks";

    /// <summary>On a Job or Pod: how long its containers run (Go duration, e.g. <c>3s</c>).</summary>
    public const string RunDuration = "sim.mcg.io/run-duration";

    /// <summary>On a Job or Pod: "true" makes its containers exit with code 1.</summary>
    public const string Fail = "sim.mcg.io/fail";
}
