using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Mcg.Kube.Objects;

namespace Mcg.Secrets.ExternalSecrets;

/// <summary>
/// External Secrets Operator's sync counters, by ExternalSecret name and namespace: <c>externalsecret_sync_calls_total</c>
/// (every sync attempt) and <c>externalsecret_sync_calls_error_total</c> (every failed one; ESO names it without the
/// <c>_total</c> suffix, which <c>promtool check metrics</c> rejects for a counter).
/// </summary>
public sealed class EsoMetrics
{
    public const string MeterName = "Mcg.Secrets.ExternalSecrets";

    private readonly Counter<long> _calls;
    private readonly Counter<long> _errors;

    public EsoMetrics(Meter meter)
    {
        _calls = meter.CreateCounter<long>("externalsecret_sync_calls_total", description: "Total number of the External Secret sync calls");
        _errors = meter.CreateCounter<long>("externalsecret_sync_calls_error_total", description: "Total number of the External Secret sync errors");
    }

    /// <summary>The process-wide instance for controllers not given one.</summary>
    public static EsoMetrics Shared { get; } = new(new Meter(MeterName));

    public void Sync(JsonObject es) => _calls.Add(1, Labels(es));

    public void Error(JsonObject es) => _errors.Add(1, Labels(es));

    private static TagList Labels(JsonObject es) => new() { { "name", es.Name() }, { "namespace", es.Namespace() } };
}
