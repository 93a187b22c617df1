using System.Text.Json.Nodes;
using Mcg.GitOps.Health;
using Mcg.GitOps.Sync;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Controller;

/// <summary>One managed resource's state, as in Argo CD's <c>status.resources[]</c>.</summary>
public sealed record ResourceState(PlannedObject Planned, JsonObject? Live, bool Synced, bool RequiresPruning, HealthStatus? Health, bool IsHook)
{
    public JsonObject ToJson()
    {
        var obj = Planned.Object;
        var r = Planned.Resource;
        var o = new JsonObject
        {
            ["group"] = r.Group,
            ["version"] = r.Version,
            ["kind"] = r.Kind,
            ["namespace"] = obj.Namespace() ?? "",
            ["name"] = obj.Name() ?? "",
            ["status"] = Synced ? "Synced" : "OutOfSync",
        };
        if (Health is not null)
        {
            o["health"] = new JsonObject { ["status"] = Health.Status.ToString(), ["message"] = Health.Message.Length > 0 ? Health.Message : null };
        }
        if (RequiresPruning)
        {
            o["requiresPruning"] = true;
        }
        if (IsHook)
        {
            o["hook"] = true;
        }
        return o;
    }
}

/// <summary>The result of comparing an application's desired state (Git at a revision) with the cluster.</summary>
public sealed record Comparison(
    IReadOnlyList<string> Revisions,
    IReadOnlyList<PlannedObject> Targets,
    IReadOnlyList<PlannedObject> Prunable,
    IReadOnlyList<ResourceState> Resources)
{
    public bool Synced => Resources.All(r => r.Synced || r.IsHook);

    /// <summary>The worst health of the existing resources; Missing only when none of them exists (Argo CD's rule).</summary>
    public HealthStatus Health
    {
        get
        {
            var managed = Resources.Where(r => !r.IsHook && !r.RequiresPruning).ToList();
            if (managed.Count > 0 && managed.All(r => r.Live is null))
            {
                return new HealthStatus(HealthStatusCode.Missing);
            }
            return new HealthStatus(HealthStatus.Combine(managed.Where(r => r.Live is not null).Select(r => r.Health)));
        }
    }
}
