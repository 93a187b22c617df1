using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Prometheus;

namespace Mcg.Observability.State;

/// <summary>
/// External Secrets Operator's <c>externalsecret_status_condition</c>: for each condition of each ExternalSecret one
/// series per status, 1 for the current status ("True" or "False") and 0 for the other, as ESO reports it.
/// </summary>
public sealed class ExternalSecretMetrics : IStateCollector
{
    public static readonly ResourceRef ExternalSecrets = new("external-secrets.io", "v1", "externalsecrets", "ExternalSecret", true);

    private readonly Informer _externalSecrets;
    private readonly GaugeSeries _conditions;

    public ExternalSecretMetrics(IKubeClient client, IMetricFactory metrics)
    {
        _externalSecrets = new Informer(client, ExternalSecrets);
        _conditions = new GaugeSeries(metrics.CreateGauge("externalsecret_status_condition",
            "The status condition of a specific External Secret", ["name", "namespace", "condition", "status"]));
    }

    public IReadOnlyList<Informer> Informers => [_externalSecrets];

    public void Collect(DateTimeOffset now) => _conditions.Replace(_externalSecrets.List().SelectMany(Series));

    private static IEnumerable<(string[], double)> Series(JsonObject es)
    {
        foreach (var condition in (es["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var type = condition.GetString("type") ?? "";
            var status = condition.GetString("status") ?? "Unknown";
            foreach (var candidate in new[] { "True", "False" })
            {
                yield return ([es.Name() ?? "", es.Namespace() ?? "", type, candidate], status == candidate ? 1 : 0);
            }
        }
    }
}
