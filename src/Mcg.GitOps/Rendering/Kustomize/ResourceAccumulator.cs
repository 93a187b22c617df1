namespace Mcg.GitOps.Rendering.Kustomize;

/// <summary>The ordered resources of a build (kustomize's ResMap): ids must stay unique.</summary>
internal sealed class ResourceAccumulator
{
    private readonly List<Resource> _resources = [];

    public IReadOnlyList<Resource> Resources => _resources;

    public void Append(Resource resource, string file)
    {
        var id = resource.CurId;
        if (_resources.Any(r => r.CurId.Matches(id)))
        {
            throw new RenderException($"may not add resource with an already registered id: {id}", file);
        }
        _resources.Add(resource);
    }

    public void AppendAll(IEnumerable<Resource> resources, string file)
    {
        var ids = _resources.Select(r => Key(r.CurId)).ToHashSet();
        foreach (var r in resources)
        {
            var id = r.CurId;
            if (!ids.Add(Key(id)))
            {
                throw new RenderException($"may not add resource with an already registered id: {id}", file);
            }
            _resources.Add(r);
        }
    }

    private static (Mcg.Kube.Objects.GroupVersionKind, string, string) Key(ResId id) => (id.Gvk, id.Name, id.EffectiveNamespace);

    public void RemoveWhere(Predicate<Resource> predicate) => _resources.RemoveAll(predicate);

    public void Replace(Resource old, Resource replacement) => _resources[_resources.IndexOf(old)] = replacement;

    /// <summary>Resources any of whose ids (current or previous) matches <paramref name="id"/>.</summary>
    public List<Resource> MatchingAnyId(Func<ResId, bool> matches) => _resources.Where(r => r.AllIds.Any(matches)).ToList();

    /// <summary>The one resource a patch without target addresses; kustomize's GetById.</summary>
    public Resource GetById(ResId id, string file)
    {
        var found = MatchingAnyId(id.Matches);
        return found.Count switch
        {
            1 => found[0],
            0 => throw new RenderException($"no resource matches patch target {id}", file),
            _ => throw new RenderException($"multiple resources match patch target {id}", file),
        };
    }

    /// <summary>
    /// Adds a generated resource: kustomize's appendReplaceOrMerge. Merge and replace act on an existing object of the
    /// same id, keeping its name, namespace and history.
    /// </summary>
    public void Absorb(Resource generated, string file)
    {
        var id = generated.CurId;
        var matches = MatchingAnyId(id.Matches);
        if (matches.Count > 1)
        {
            throw new RenderException($"found multiple objects that could accept merge of {id}", file);
        }
        if (matches.Count == 0)
        {
            if (generated.Behavior is GeneratorBehavior.Merge or GeneratorBehavior.Replace)
            {
                throw new RenderException($"id {id} does not exist; cannot merge or replace", file);
            }
            Append(generated, file);
            return;
        }
        var old = matches[0];
        switch (generated.Behavior)
        {
            case GeneratorBehavior.Replace:
                generated.AdoptIdentity(old);
                break;
            case GeneratorBehavior.Merge:
                generated.AdoptIdentity(old);
                MergeMap(generated, old, "data");
                MergeMap(generated, old, "binaryData");
                break;
            default:
                throw new RenderException($"id {id} exists; behavior must be merge or replace", file);
        }
        Replace(old, generated);
    }

    private static void MergeMap(Resource target, Resource old, string field)
    {
        if (old.Obj[field] is not System.Text.Json.Nodes.JsonObject oldMap)
        {
            return;
        }
        var merged = oldMap.DeepClone().AsObject();
        if (target.Obj[field] is System.Text.Json.Nodes.JsonObject newMap)
        {
            foreach (var (k, v) in newMap)
            {
                merged[k] = v?.DeepClone();
            }
        }
        target.Obj[field] = merged;
    }
}
