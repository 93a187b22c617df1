using System.Text.Json.Nodes;

namespace Mcg.GitOps.Sync;

public enum OperationPhase { Running, Succeeded, Failed, Error, Terminating }

/// <summary>What happened to one resource in a sync, in the shape of Argo CD's <c>syncResult.resources[]</c>.</summary>
public sealed record ResourceResult(
    string Group, string Version, string Kind, string Namespace, string Name,
    string Status, string Message, SyncPhase SyncPhase, string? HookType = null, string? HookPhase = null)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["group"] = Group,
            ["version"] = Version,
            ["kind"] = Kind,
            ["namespace"] = Namespace,
            ["name"] = Name,
            ["status"] = Status,
            ["message"] = Message,
            ["syncPhase"] = SyncPhase.ToString(),
        };
        if (HookType is not null)
        {
            o["hookType"] = HookType;
            o["hookPhase"] = HookPhase;
        }
        return o;
    }
}

public sealed record SyncResult(OperationPhase Phase, string Message, IReadOnlyList<ResourceResult> Resources);

/// <summary>The health a sync waits on between waves, reduced from the app's health assessment.</summary>
public enum WaveHealth { Healthy, Progressing, Degraded }

public sealed record SyncRunOptions
{
    public string FieldManager { get; init; } = "argocd-controller";
    public bool Prune { get; init; }
    public bool DryRun { get; init; }
    public bool Replace { get; init; }
    public bool ApplyOutOfSyncOnly { get; init; }
    public bool PruneLast { get; init; }
    public string PrunePropagation { get; init; } = "Foreground";
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}
