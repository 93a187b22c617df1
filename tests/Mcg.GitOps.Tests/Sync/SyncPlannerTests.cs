using System.Text.Json.Nodes;
using Mcg.GitOps.Sync;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;

namespace Mcg.GitOps.Tests.Sync;

public sealed class SyncPlannerTests
{
    private static readonly ResourceRef Cm = ResourceRef.ConfigMaps;
    private static readonly ResourceRef Ns = ResourceRef.Namespaces;
    private static readonly ResourceRef Deploy = new("apps", "v1", "deployments", "Deployment", true);
    private static readonly ResourceRef Job = new("batch", "v1", "jobs", "Job", true);

    private static PlannedObject Obj(ResourceRef r, string name, string? wave = null, string? hook = null)
    {
        var annotations = new JsonObject();
        if (wave is not null)
        {
            annotations[SyncTask.WaveAnnotation] = wave;
        }
        if (hook is not null)
        {
            annotations[SyncTask.HookAnnotation] = hook;
        }
        return new PlannedObject(r, new JsonObject
        {
            ["apiVersion"] = r.ApiVersion,
            ["kind"] = r.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["annotations"] = annotations },
        });
    }

    [Fact]
    public void OrdersByPhaseThenWaveThenKindThenName()
    {
        var tasks = SyncPlanner.Plan(
            [
                Obj(Deploy, "web"),
                Obj(Cm, "b-config"),
                Obj(Cm, "a-config"),
                Obj(Ns, "shop"),
                Obj(Cm, "late", wave: "5"),
                Obj(Cm, "early", wave: "-2"),
                Obj(Job, "migrate", hook: "PreSync"),
                Obj(Job, "smoke", hook: "PostSync"),
                Obj(Job, "cleanup", hook: "SyncFail"),
                Obj(Cm, "skipped", hook: "Skip"),
            ],
            _ => null,
            [Obj(Cm, "old"), Obj(Deploy, "old-web", wave: "3")]);
        Assert.Equal(
            [
                "PreSync/0 Job /migrate",
                "Sync/-2 ConfigMap /early",
                "Sync/0 Namespace /shop",
                "Sync/0 ConfigMap /a-config",
                "Sync/0 ConfigMap /b-config",
                "Sync/0 Deployment /web",
                "Sync/5 ConfigMap /late",
                "Sync/3 prune Deployment /old-web",
                "Sync/0 prune ConfigMap /old",
                "PostSync/0 Job /smoke",
                "SyncFail/0 Job /cleanup",
            ],
            tasks.Select(t => t.ToString()));
    }

    [Fact]
    public void HookDeletePolicyDefaultsToBeforeHookCreation()
    {
        var hook = Obj(Job, "migrate", hook: "PreSync,PostSync");
        var tasks = SyncPlanner.Plan([hook], _ => null, []);
        Assert.Equal([SyncPhase.PreSync, SyncPhase.PostSync], tasks.Select(t => t.Phase));
        Assert.All(tasks, t => Assert.Equal(["BeforeHookCreation"], t.HookDeletePolicies));
        hook.Object.Metadata()["annotations"]![SyncTask.HookDeletePolicyAnnotation] = "HookSucceeded,HookFailed";
        Assert.Equal(["HookSucceeded", "HookFailed"], SyncPlanner.Plan([hook], _ => null, [])[0].HookDeletePolicies);
    }
}
