using System.Collections.Concurrent;
using Mcg.Kube.Client;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;

namespace Mcg.Storage.Simulation;

/// <summary>One informer per resource, shared by every simulator controller (one list + watch each, one cache).</summary>
public sealed class SharedInformers(IKubeClient client, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<ResourceRef, Informer> _informers = new();

    public Informer For(ResourceRef resource) =>
        _informers.GetOrAdd(resource, r => new Informer(client, r, new InformerOptions(), loggers.CreateLogger<Informer>()));

    /// <summary>Runs every informer created so far (create them all before calling this).</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(_informers.Values.Select(i => i.RunAsync(ct)));
}
