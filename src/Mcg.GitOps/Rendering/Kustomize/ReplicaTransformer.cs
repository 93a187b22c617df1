namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>The <c>replicas</c> field: sets spec.replicas of the workloads of that (original or current) name.</summary>
internal static class ReplicaTransformer
{
    public static void Apply(ResourceAccumulator resources, ReplicaEntry replica, string file)
    {
        var found = false;
        foreach (var spec in BuiltinConfig.Replicas)
        {
            foreach (var r in resources.MatchingAnyId(id => id.Name == replica.Name && spec.Selects(id.Gvk)))
            {
                found = true;
                spec.Walk(r.Obj, (parent, field) => parent[field] = replica.Count);
            }
        }
        if (!found)
        {
            throw new RenderException($"replicas: resource with name {replica.Name} does not match a Deployment, ReplicationController, ReplicaSet or StatefulSet", file);
        }
    }
}
