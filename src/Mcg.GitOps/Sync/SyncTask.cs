using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Sync;

public enum SyncPhase { PreSync, Sync, PostSync, SyncFail }

/// <summary>One step of a sync: apply a target (resource or hook) or prune a live object no longer in Git.</summary>
public sealed record SyncTask(ResourceRef Resource, JsonObject? Target, JsonObject? Live, SyncPhase Phase, int Wave, bool IsHook, IReadOnlySet<string> HookDeletePolicies)
{
    public const string WaveAnnotation = "argocd.argoproj.io/sync-wave";
    public const string HookAnnotation = "argocd.argoproj.io/hook";
    public const string HookDeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy";
    public const string SyncOptionsAnnotation = "argocd.argoproj.io/sync-options";

    public bool IsPrune => Target is null;

    public JsonObject Object => Target ?? Live!;

    public string Name => Object.Name() ?? Object.Metadata().GetString("generateName") ?? "";

    public string Namespace => Object.Namespace() ?? "";

    public string Kind => Resource.Kind;

    public override string ToString() => $"{Phase}/{Wave} {(IsPrune ? "prune " : "")}{Resource.Kind} {Namespace}/{Name}";

    /// <summary>The sync options the object itself carries (<c>argocd.argoproj.io/sync-options: Prune=false,…</c>).</summary>
    public bool HasObjectOption(string option) =>
        Object.Annotations().GetValueOrDefault(SyncOptionsAnnotation)?.Split(',', StringSplitOptions.TrimEntries).Contains(option) == true;

    public static int WaveOf(JsonObject obj) =>
        int.TryParse(obj.Annotations().GetValueOrDefault(WaveAnnotation), out var w) ? w : 0;

    /// <summary>The hook phases an object declares (none: an ordinary resource). <c>Skip</c> means never applied.</summary>
    public static IReadOnlyList<string> HookTypesOf(JsonObject obj) =>
        obj.Annotations().GetValueOrDefault(HookAnnotation)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
}
