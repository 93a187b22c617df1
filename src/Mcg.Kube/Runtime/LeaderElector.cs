using System.Globalization;
using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcg.Kube.Runtime;

public sealed class LeaderElectionOptions
{
    public required string LeaseNamespace { get; init; }
    public required string LeaseName { get; init; }

    /// <summary>This candidate's identity (unique per process, e.g. host name + random suffix).</summary>
    public required string Identity { get; init; }

    /// <summary>How long non-leaders wait after the last observed change of the lease before taking it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a failing renewal before it gives up leadership.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The interval between acquire/renew attempts.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Clear the lease when stopping as leader (cancellation or the work ending), so another candidate takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    /// <summary>The leader's work; its token is cancelled when leadership ends. Run to completion (or cancellation) before leadership is given up.</summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }
    public Action? OnStoppedLeading { get; init; }

    /// <summary>Called when a different holder of the lease is observed (including this candidate).</summary>
    public Action<string>? OnNewLeader { get; init; }
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Leader election over a coordination.k8s.io/v1 Lease with client-go semantics: a candidate takes the lease when it
/// is free or when its record has not changed for leaseDurationSeconds (measured on the local clock from when the
/// change was observed); the leader renews every RetryPeriod and loses leadership when renewals keep failing for
/// RenewDeadline. Writes are compare-and-swap on metadata.resourceVersion.
/// </summary>
public sealed class LeaderElector
{
    private readonly IKubeClient _client;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private JsonObject? _observedSpec;
    private long _observedAt;
    private volatile string? _leader;
    private volatile bool _isLeader;

    public LeaderElector(IKubeClient client, LeaderElectionOptions options, ILogger<LeaderElector>? logger = null)
    {
        if (options.LeaseDuration <= options.RenewDeadline)
        {
            throw new ArgumentException("LeaseDuration must be greater than RenewDeadline", nameof(options));
        }
        if (options.RenewDeadline <= options.RetryPeriod * 1.2)
        {
            throw new ArgumentException("RenewDeadline must be greater than 1.2 * RetryPeriod", nameof(options));
        }
        _client = client;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = options.TimeProvider;
    }

    public bool IsLeader => _isLeader;

    /// <summary>The holder last observed in the lease.</summary>
    public string? CurrentLeader => _leader;

    /// <summary>
    /// Campaigns until leadership is acquired, runs <see cref="LeaderElectionOptions.OnStartedLeading"/> while
    /// renewing, and returns when leadership is lost, the work ends or <paramref name="ct"/> is cancelled.
    /// Returns without leading when cancelled during the campaign.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await AcquireAsync(ct))
        {
            return;
        }
        _isLeader = true;
        _logger.LogInformation("{Identity} acquired lease {Namespace}/{Name}", _options.Identity, _options.LeaseNamespace, _options.LeaseName);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var work = _options.OnStartedLeading is { } start ? Task.Run(() => start(leading.Token), CancellationToken.None) : Task.Delay(Timeout.Infinite, leading.Token);
        var lost = false;
        try
        {
            lost = !await RenewLoopAsync(work, ct);
        }
        finally
        {
            await leading.CancelAsync();
            try
            {
                await work;
            }
            catch (OperationCanceledException)
            {
                // the leader's work stopped because leadership ended
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "The leader's work failed");
            }
            _isLeader = false;
            if (!lost && _options.ReleaseOnCancel)
            {
                await ReleaseAsync();
            }
            _options.OnStoppedLeading?.Invoke();
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewSafeAsync(ct))
            {
                return true;
            }
            var jittered = _options.RetryPeriod * (1 + (Random.Shared.NextDouble() * 1.2));
            try
            {
                await Task.Delay(jittered, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Renews until cancelled or the work ends (true) or renewal failed for RenewDeadline (false).</summary>
    private async Task<bool> RenewLoopAsync(Task work, CancellationToken ct)
    {
        while (true)
        {
            await Task.WhenAny(Task.Delay(_options.RetryPeriod, _time, ct), work);
            if (ct.IsCancellationRequested || work.IsCompleted)
            {
                return true;
            }
            var start = _time.GetTimestamp();
            while (true)
            {
                var remaining = _options.RenewDeadline - _time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                {
                    _logger.LogWarning("{Identity} failed to renew lease {Namespace}/{Name} within {Deadline}; leadership lost",
                        _options.Identity, _options.LeaseNamespace, _options.LeaseName, _options.RenewDeadline);
                    return false;
                }
                using var timeout = new CancellationTokenSource(remaining, _time);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                if (await TryAcquireOrRenewSafeAsync(attempt.Token))
                {
                    break;
                }
                if (ct.IsCancellationRequested)
                {
                    return true;
                }
                var wait = _options.RetryPeriod < remaining ? _options.RetryPeriod : remaining;
                try
                {
                    await Task.Delay(wait, _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return true;
                }
            }
        }
    }

    private async Task<bool> TryAcquireOrRenewSafeAsync(CancellationToken ct)
    {
        try
        {
            return await TryAcquireOrRenewAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Error acquiring or renewing lease {Namespace}/{Name}", _options.LeaseNamespace, _options.LeaseName);
            return false;
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var lease = await _client.GetAsync(ResourceRef.Leases, _options.LeaseNamespace, _options.LeaseName, ct);
        if (lease is null)
        {
            var fresh = new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = _options.LeaseName, ["namespace"] = _options.LeaseNamespace },
                ["spec"] = Spec(_options.Identity, (int)_options.LeaseDuration.TotalSeconds, MicroTime(now), now, 0),
            };
            return await WriteAsync(() => _client.CreateAsync(ResourceRef.Leases, fresh, null, ct));
        }

        var spec = lease["spec"] as JsonObject ?? [];
        if (_observedSpec is null || !JsonNode.DeepEquals(spec, _observedSpec))
        {
            Observe(spec);
        }
        var holder = spec.GetString("holderIdentity") ?? "";
        var duration = Int(spec, "leaseDurationSeconds") is > 0 and var d ? TimeSpan.FromSeconds(d) : _options.LeaseDuration;
        if (holder.Length > 0 && holder != _options.Identity && _time.GetElapsedTime(_observedAt) < duration)
        {
            return false; // held by another candidate and not expired
        }
        var transitions = Int(spec, "leaseTransitions");
        var renewing = holder == _options.Identity;
        lease["spec"] = Spec(_options.Identity, (int)_options.LeaseDuration.TotalSeconds,
            renewing ? spec["acquireTime"]?.DeepClone() : MicroTime(now), now, renewing ? transitions : transitions + 1);
        return await WriteAsync(() => _client.UpdateAsync(ResourceRef.Leases, lease, null, ct));
    }

    private async Task<bool> WriteAsync(Func<Task<JsonObject>> write)
    {
        try
        {
            var written = await write();
            Observe(written["spec"] as JsonObject ?? []);
            return true;
        }
        catch (KubeApiException ex) when (ex.StatusCode == 409)
        {
            return false; // someone else wrote first (AlreadyExists or Conflict)
        }
    }

    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            var lease = await _client.GetAsync(ResourceRef.Leases, _options.LeaseNamespace, _options.LeaseName, timeout.Token);
            if (lease?["spec"] is not JsonObject spec || spec.GetString("holderIdentity") != _options.Identity)
            {
                return;
            }
            var now = _time.GetUtcNow();
            lease["spec"] = Spec("", 1, MicroTime(now), now, Int(spec, "leaseTransitions"));
            await _client.UpdateAsync(ResourceRef.Leases, lease, null, timeout.Token);
            _logger.LogInformation("{Identity} released lease {Namespace}/{Name}", _options.Identity, _options.LeaseNamespace, _options.LeaseName);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Failed to release lease {Namespace}/{Name}", _options.LeaseNamespace, _options.LeaseName);
        }
    }

    private void Observe(JsonObject spec)
    {
        _observedSpec = (JsonObject)spec.DeepClone();
        _observedAt = _time.GetTimestamp();
        var holder = spec.GetString("holderIdentity") ?? "";
        if (holder.Length > 0 && holder != _leader)
        {
            _leader = holder;
            try
            {
                _options.OnNewLeader?.Invoke(holder);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "OnNewLeader failed");
            }
        }
    }

    private static JsonObject Spec(string holder, int durationSeconds, JsonNode? acquireTime, DateTimeOffset renewTime, int transitions) =>
        new()
        {
            ["holderIdentity"] = holder,
            ["leaseDurationSeconds"] = durationSeconds,
            ["acquireTime"] = acquireTime,
            ["renewTime"] = MicroTime(renewTime),
            ["leaseTransitions"] = transitions,
        };

    private static JsonNode MicroTime(DateTimeOffset t) =>
        (JsonNode)(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    private static int Int(JsonObject obj, string key) => obj[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : 0;
}
