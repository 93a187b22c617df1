using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.ApiServer.Auth;

namespace Mcg.ApiServer.Extensions;

/// <summary>One call to a connect-style subresource (such as <c>pods/exec</c>) that the generic REST storage does not serve.</summary>
/// <param name="Body">The JSON request body (null when there is none).</param>
/// <param name="Query">The query parameters; a repeated parameter (kubectl's <c>command=</c>) keeps every value.</param>
public sealed record SubresourceRequest(
    string Verb,
    string Namespace,
    string Name,
    JsonNode? Body,
    IReadOnlyDictionary<string, string[]> Query,
    UserInfo User);

/// <summary>Serves a subresource; throws <see cref="Http.ApiException"/> for a failure the client should see as a Status.</summary>
public interface ISubresourceHandler
{
    Task<JsonObject> HandleAsync(SubresourceRequest request, CancellationToken ct);
}

/// <summary>
/// Subresources registered by whoever hosts the server (e.g. a virtual cluster's simulators). Keeps the server generic:
/// the request is authenticated and authorized as any other (verb + <c>resource/subresource</c>) before a handler runs.
/// </summary>
public sealed class SubresourceHandlers
{
    private readonly ConcurrentDictionary<(string Group, string Resource, string Subresource), ISubresourceHandler> _handlers = new();

    /// <summary>Registers (or replaces) the handler of <c>{resource}/{subresource}</c> in a group ("" is core).</summary>
    public void Register(string group, string resource, string subresource, ISubresourceHandler handler) =>
        _handlers[(group, resource, subresource)] = handler;

    public ISubresourceHandler? Find(string group, string resource, string subresource) =>
        _handlers.GetValueOrDefault((group, resource, subresource));
}
