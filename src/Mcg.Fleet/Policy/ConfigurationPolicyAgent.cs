using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mcg.Fleet.Crds;
using Mcg.Kube.Client;
using Mcg.Kube.Events;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;
using Microsoft.Extensions.Logging;
using KubeController = Mcg.Kube.Runtime.Controller;

namespace Mcg.Fleet.Policy;

/// <summary>
/// The policy agent of one managed cluster (the framework addon's template-sync and status-sync with
/// config-policy-controller): watches the replicated Policies in the cluster's namespace on the hub, evaluates their
/// ConfigurationPolicy templates against the managed cluster (enforcing them when asked), and reports each new
/// compliance message as an Event and in the replicated policy's <c>status.details[].history</c> on the hub.
/// Templates are evaluated when the policy changes, periodically (evaluationInterval, 10 s by default) and when an
/// object of a kind they concern changes on the managed cluster.
/// </summary>
public sealed class ConfigurationPolicyAgent : IReconciler, IAsyncDisposable
{
    private const string Component = "configuration-policy-controller";
    private const string TemplateErrorMessage = "NonCompliant; template-error; Mapping not found, please check if you have CRD deployed";

    private readonly IKubeClient _hub;
    private readonly string _clusterName;
    private readonly ConfigurationPolicyAgentOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Informer _policies;
    private readonly KubeController _controller;
    private readonly TemplateEvaluator _evaluator;
    private readonly ReplicaStatusWriter _status;
    private readonly ManagedObjectWatcher _watcher;
    private readonly ConfigurationPolicyMirror? _mirror;
    private readonly ConcurrentDictionary<string, TemplateState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _changed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _written = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _mirrored = new(StringComparer.Ordinal);

    /// <param name="hub">Access to the hub, at least to the cluster's namespace there (policies, their status, events).</param>
    /// <param name="managed">Access to the managed cluster the templates are evaluated on.</param>
    /// <param name="clusterName">The managed cluster's name, which is also its namespace on the hub.</param>
    public ConfigurationPolicyAgent(IKubeClient hub, IKubeClient managed, string clusterName, ILoggerFactory loggers,
        ConfigurationPolicyAgentOptions? options = null)
    {
        _hub = hub;
        _clusterName = clusterName;
        _options = options ?? new ConfigurationPolicyAgentOptions();
        _clock = _options.TimeProvider;
        _logger = loggers.CreateLogger<ConfigurationPolicyAgent>();
        _policies = new Informer(hub, OcmCrds.Policies, new InformerOptions { Namespace = clusterName }, loggers.CreateLogger<Informer>());
        _controller = new KubeController($"configuration-policy-{clusterName}", this, new ControllerOptions(), loggers.CreateLogger<KubeController>());
        _controller.Watch(_policies);
        _evaluator = new TemplateEvaluator(managed, loggers.CreateLogger<TemplateEvaluator>());
        _status = new ReplicaStatusWriter(hub, new EventRecorder(hub, _clock, loggers.CreateLogger<EventRecorder>(), clusterName), Component);
        _watcher = new ManagedObjectWatcher(managed, loggers, keys =>
        {
            foreach (var key in keys)
            {
                _changed[key] = 0;
                _controller.Enqueue(key);
            }
        });
        _mirror = _options.MirrorConfigurationPolicies ? new ConfigurationPolicyMirror(managed, clusterName, loggers.CreateLogger<ConfigurationPolicyMirror>()) : null;
    }

    public string ClusterName => _clusterName;

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _watcher.Start(ct);
        await Task.WhenAll(_policies.RunAsync(ct), _controller.RunAsync(ct));
    }

    public ValueTask DisposeAsync() => _watcher.DisposeAsync();

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var changed = _changed.TryRemove(key, out _);
        var (ns, name) = ObjectKeys.Split(key);
        var cached = _policies.Get(ns, name);
        if (cached is null || Disabled(cached))
        {
            Forget(key);
            _watcher.SetInterest(key, new HashSet<ResourceRef>());
            if (_mirror is not null)
            {
                await _mirror.DeleteOthersAsync(name, new HashSet<string>(), ct);
            }
            return ReconcileResult.Done;
        }
        var policy = WithLatestStatus((JsonObject)cached.DeepClone(), key);
        var spec = policy["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        RemediationOverride.Apply(spec);
        var now = _clock.GetUtcNow();
        var reports = new List<(string Template, IReadOnlyList<string> NewMessages)>();
        var interest = new HashSet<ResourceRef>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? nextDue = null;
        var index = 0;
        foreach (var template in (spec["policy-templates"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var definition = template["objectDefinition"] as JsonObject;
            var templateName = definition?.Name() ?? $"template-{index}";
            index++;
            if (!names.Add(templateName))
            {
                continue;
            }
            var latest = ReplicaStatusWriter.LatestMessage(policy, templateName);
            if (definition is null || !ConfigurationPolicyDefinition.IsConfigurationPolicy(definition))
            {
                reports.Add((templateName, latest == TemplateErrorMessage ? [] : [TemplateErrorMessage]));
                continue;
            }
            var (state, messages) = await EvaluateIfDueAsync(key, name, templateName, definition, latest, changed, now, ct);
            reports.Add((templateName, messages));
            interest.UnionWith(state.Resources);
            if (state.NextDue is { } next && (nextDue is null || next < nextDue))
            {
                nextDue = next;
            }
        }
        ForgetTemplatesExcept(key, names);
        _watcher.SetInterest(key, interest);
        if (await _status.WriteAsync(policy, reports, ct) is { } written)
        {
            _written[key] = written;
        }
        var mirrored = string.Join("\n", names.Order(StringComparer.Ordinal));
        if (_mirror is not null && (!_mirrored.TryGetValue(key, out var before) || before != mirrored))
        {
            await _mirror.DeleteOthersAsync(name, names, ct);
            _mirrored[key] = mirrored;
        }
        if (nextDue is null)
        {
            return ReconcileResult.Done;
        }
        var wait = nextDue.Value - _clock.GetUtcNow();
        return ReconcileResult.After(wait > TimeSpan.FromMilliseconds(100) ? wait : TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// Evaluates a ConfigurationPolicy template when it is due (new or changed, its interval elapsed, or a watched object
    /// changed); returns its state and the messages to report: each step of a new evaluation that differs from the one
    /// before it (starting from the latest reported), or the remembered outcome when it was not reported yet.
    /// </summary>
    private async Task<(TemplateState State, IReadOnlyList<string> Messages)> EvaluateIfDueAsync(string key, string replicaName, string templateName,
        JsonObject definition, string? latest, bool changed, DateTimeOffset now, CancellationToken ct)
    {
        var stateKey = key + "/" + templateName;
        var specKey = definition.ToJsonString();
        _states.TryGetValue(stateKey, out var state);
        var due = state is null || state.SpecKey != specKey || (changed && state.ReactsToChanges) || now >= state.NextDue;
        if (!due)
        {
            return (state!, state!.Message == latest ? [] : [state.Message]);
        }
        var (evaluated, steps) = await EvaluateAsync(ConfigurationPolicyDefinition.Parse(definition, _options.DefaultEvaluationInterval), specKey, now, ct);
        _states[stateKey] = evaluated;
        if (_mirror is not null)
        {
            await _mirror.WriteAsync(replicaName, evaluated.Definition, evaluated, ct);
        }
        var messages = new List<string>();
        var previous = latest;
        foreach (var step in steps)
        {
            if (step != previous)
            {
                messages.Add(step);
                previous = step;
            }
        }
        return (evaluated, messages);
    }

    /// <summary>Evaluates every object template of a ConfigurationPolicy; returns its state and the policy messages of each step.</summary>
    private async Task<(TemplateState State, IReadOnlyList<string> Steps)> EvaluateAsync(ConfigurationPolicyDefinition definition, string specKey,
        DateTimeOffset now, CancellationToken ct)
    {
        var resources = new HashSet<ResourceRef>();
        var perTemplate = new List<IReadOnlyList<TemplateCondition>>();
        if (definition.Error is { } error)
        {
            perTemplate.Add([new TemplateCondition(false, "Invalid spec", error)]);
        }
        else if (definition.ObjectTemplates.Count == 0)
        {
            perTemplate.Add([new TemplateCondition(true, "No object templates",
                $"{definition.Name} contains no object templates to check, and thus has no violations")]);
        }
        else
        {
            for (var i = 0; i < definition.ObjectTemplates.Count; i++)
            {
                var evaluation = await _evaluator.EvaluateAsync(definition, i, definition.RemediationAction!.Value, ct);
                if (evaluation.Resource is { } resource)
                {
                    resources.Add(resource);
                }
                if (evaluation.SelectsNamespaces)
                {
                    resources.Add(ResourceRef.Namespaces);
                }
                perTemplate.Add(evaluation.Conditions());
            }
        }
        var stepCount = perTemplate.Max(c => c.Count);
        var steps = new List<string>();
        IReadOnlyList<TemplateCondition> final = [];
        for (var step = 0; step < stepCount; step++)
        {
            final = perTemplate.Where(c => c.Count > 0).Select(c => c[Math.Min(step, c.Count - 1)]).ToList();
            steps.Add(ComplianceMessages.ForPolicy(final));
        }
        var compliant = final.Count > 0 && final.All(c => c.Compliant);
        _logger.LogDebug("Evaluated {Template} on {Cluster}: {Message}", definition.Name, _clusterName, steps.LastOrDefault());
        return (new TemplateState(specKey, definition, now, compliant, final, steps.LastOrDefault() ?? "", resources), steps);
    }

    /// <summary>
    /// The policy with the status this agent last wrote when the informer has not seen that write yet, so that a quick
    /// re-evaluation neither repeats a message nor drops history.
    /// </summary>
    private JsonObject WithLatestStatus(JsonObject policy, string key)
    {
        if (_written.TryGetValue(key, out var written) && written.Uid() == policy.Uid()
            && long.TryParse(written.ResourceVersion(), out var writtenVersion) && long.TryParse(policy.ResourceVersion(), out var cachedVersion)
            && writtenVersion > cachedVersion)
        {
            policy["status"] = written["status"]?.DeepClone();
        }
        return policy;
    }

    private static bool Disabled(JsonObject policy) => policy["spec"]?["disabled"] is JsonValue v && v.TryGetValue<bool>(out var d) && d;

    private void Forget(string policyKey)
    {
        _written.TryRemove(policyKey, out _);
        _mirrored.TryRemove(policyKey, out _);
        foreach (var stateKey in _states.Keys.Where(k => k.StartsWith(policyKey + "/", StringComparison.Ordinal)))
        {
            _states.TryRemove(stateKey, out _);
        }
    }

    private void ForgetTemplatesExcept(string policyKey, IReadOnlySet<string> templates)
    {
        foreach (var stateKey in _states.Keys.Where(k => k.StartsWith(policyKey + "/", StringComparison.Ordinal)
            && !templates.Contains(k[(policyKey.Length + 1)..])))
        {
            _states.TryRemove(stateKey, out _);
        }
    }
}
