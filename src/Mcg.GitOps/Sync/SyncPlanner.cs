using System.Text.Json.Nodes;
using Mcg.Kube.Client;

namespace Mcg.GitOps.Sync;

/// <summary>A target object with the API resource it belongs to.</summary>
public sealed record PlannedObject(ResourceRef Resource, JsonObject Object);

/// <summary>
/// Turns targets, live state and prune candidates into ordered tasks, as gitops-engine's sync does: by phase, then
/// wave, then kind (dependencies first), then name. Prunes run after the Sync phase's applies, last wave first.
/// </summary>
public static class SyncPlanner
{
    private static readonly HashSet<string> DefaultDeletePolicy = ["BeforeHookCreation"];

    public static IReadOnlyList<SyncTask> Plan(
        IEnumerable<PlannedObject> targets,
        Func<PlannedObject, JsonObject?> live,
        IEnumerable<PlannedObject> pruneCandidates,
        bool includeHooks = true)
    {
        var tasks = new List<SyncTask>();
        foreach (var t in targets)
        {
            var hooks = SyncTask.HookTypesOf(t.Object);
            if (hooks.Contains("Skip"))
            {
                continue;
            }
            var wave = SyncTask.WaveOf(t.Object);
            if (hooks.Count == 0)
            {
                tasks.Add(new SyncTask(t.Resource, t.Object, live(t), SyncPhase.Sync, wave, false, new HashSet<string>()));
                continue;
            }
            if (!includeHooks)
            {
                continue;
            }
            var policies = HookDeletePoliciesOf(t.Object);
            foreach (var hook in hooks)
            {
                if (Enum.TryParse<SyncPhase>(hook, out var phase))
                {
                    tasks.Add(new SyncTask(t.Resource, t.Object, live(t), phase, wave, true, policies));
                }
            }
        }
        foreach (var p in pruneCandidates)
        {
            tasks.Add(new SyncTask(p.Resource, null, p.Object, SyncPhase.Sync, SyncTask.WaveOf(p.Object), false, new HashSet<string>()));
        }
        return tasks
            .OrderBy(t => t.Phase)
            .ThenBy(t => t.IsPrune ? 1 : 0)
            .ThenBy(t => t.IsPrune ? -t.Wave : t.Wave)
            .ThenBy(t => t.IsPrune ? -KindOrder.Of(t.Kind) : KindOrder.Of(t.Kind))
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A hook's <c>hook-delete-policy</c> values; <c>BeforeHookCreation</c> when it has none (Argo CD's default).</summary>
    public static IReadOnlySet<string> HookDeletePoliciesOf(JsonObject hook) =>
        hook["metadata"]?["annotations"]?[SyncTask.HookDeletePolicyAnnotation]?.GetValue<string>()
            ?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet() ?? DefaultDeletePolicy;

    /// <summary>
    /// The steps a plan runs in, each finished (applied, healthy, hooks completed) before the next starts: one per phase
    /// and wave, prunes after the phase's applies (in their own steps at the very end with <c>PruneLast</c>).
    /// </summary>
    public static IEnumerable<IReadOnlyList<SyncTask>> Steps(IEnumerable<SyncTask> plan, bool pruneLast) =>
        plan.GroupBy(t => (t.Phase, t.IsPrune && pruneLast ? 1 : 0, t.IsPrune ? int.MaxValue - t.Wave : t.Wave)).Select(g => (IReadOnlyList<SyncTask>)g.ToList());
}
