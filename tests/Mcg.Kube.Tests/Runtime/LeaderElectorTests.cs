using System.Text.Json.Nodes;
using Mcg.Kube.Client;
using Mcg.Kube.Objects;
using Mcg.Kube.Runtime;

namespace Mcg.Kube.Tests.Runtime;

public class LeaderElectorTests
{
    private const string Ns = "mcg-system";
    private const string Name = "mcg-controller";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly FakeKubeClient _client = new();

    private static LeaderElectionOptions Options(string identity, Func<CancellationToken, Task>? onStarted = null, Action? onStopped = null) => new()
    {
        LeaseNamespace = Ns,
        LeaseName = Name,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(1),
        RenewDeadline = TimeSpan.FromMilliseconds(500),
        RetryPeriod = TimeSpan.FromMilliseconds(100),
        OnStartedLeading = onStarted,
        OnStoppedLeading = onStopped,
    };

    private async Task<JsonObject> LeaseSpec() =>
        (JsonObject)(await _client.GetAsync(ResourceRef.Leases, Ns, Name))!["spec"]!;

    private static int Int(JsonObject spec, string key) => spec[key]!.GetValue<int>();

    [Fact]
    public async Task AcquiresAFreeLease_RunsTheWork_AndReleasesOnCancel()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = 0;
        using var cts = new CancellationTokenSource();
        var elector = new LeaderElector(_client, Options("a", async ct =>
        {
            started.SetResult();
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        }, () => stopped++));

        var run = elector.RunAsync(cts.Token);
        await started.Task.WaitAsync(Timeout);
        Assert.True(elector.IsLeader);
        Assert.Equal("a", elector.CurrentLeader);
        var spec = await LeaseSpec();
        Assert.Equal("a", spec.GetString("holderIdentity"));
        Assert.Equal(1, Int(spec, "leaseDurationSeconds"));
        Assert.Equal(0, Int(spec, "leaseTransitions"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", spec.GetString("renewTime"));

        // It keeps renewing: renewTime moves while acquireTime stays.
        var firstRenew = spec.GetString("renewTime");
        await Wait.UntilAsync(() => LeaseSpec().Result.GetString("renewTime") != firstRenew, "a renewal");
        Assert.Equal(spec.GetString("acquireTime"), (await LeaseSpec()).GetString("acquireTime"));

        await cts.CancelAsync();
        await run.WaitAsync(Timeout);
        Assert.False(elector.IsLeader);
        Assert.Equal(1, stopped);
        Assert.Equal("", (await LeaseSpec()).GetString("holderIdentity"));
    }

    [Fact]
    public async Task SecondCandidate_WaitsForTheLeader_ThenTakesOver()
    {
        using var ctsA = new CancellationTokenSource();
        using var ctsB = new CancellationTokenSource();
        var aStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = new LeaderElector(_client, Options("a", async ct => { aStarted.SetResult(); await Task.Delay(-1, ct); }));
        var b = new LeaderElector(_client, Options("b", async ct => { bStarted.SetResult(); await Task.Delay(-1, ct); }));

        var runA = a.RunAsync(ctsA.Token);
        await aStarted.Task.WaitAsync(Timeout);
        var runB = b.RunAsync(ctsB.Token);

        await Task.Delay(1500); // longer than the lease duration: a keeps renewing, so b must not take over
        Assert.False(bStarted.Task.IsCompleted);
        Assert.Equal("a", b.CurrentLeader);

        await ctsA.CancelAsync();
        await runA.WaitAsync(Timeout);
        await bStarted.Task.WaitAsync(Timeout);
        var spec = await LeaseSpec();
        Assert.Equal("b", spec.GetString("holderIdentity"));
        Assert.Equal(1, Int(spec, "leaseTransitions"));

        await ctsB.CancelAsync();
        await runB.WaitAsync(Timeout);
    }

    [Fact]
    public async Task TakesOverAnExpiredLease_OnlyAfterTheLeaseDuration()
    {
        await _client.CreateAsync(ResourceRef.Leases, new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Ns },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = "dead",
                ["leaseDurationSeconds"] = 1,
                ["acquireTime"] = "2020-01-01T00:00:00.000000Z",
                ["renewTime"] = "2020-01-01T00:00:00.000000Z",
                ["leaseTransitions"] = 4,
            },
        });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var elector = new LeaderElector(_client, Options("a", async ct => { started.SetResult(); await Task.Delay(-1, ct); }));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var run = elector.RunAsync(cts.Token);
        await started.Task.WaitAsync(Timeout);

        // Expiry is measured from when this candidate first observed the record (clock skew safe), not from renewTime.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"took over after {watch.Elapsed}");
        var spec = await LeaseSpec();
        Assert.Equal("a", spec.GetString("holderIdentity"));
        Assert.Equal(5, Int(spec, "leaseTransitions"));
        Assert.NotEqual("2020-01-01T00:00:00.000000Z", spec.GetString("acquireTime"));

        await cts.CancelAsync();
        await run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task LosesLeadership_WhenRenewalsFailPastTheDeadline()
    {
        var leadingToken = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var elector = new LeaderElector(_client, Options("a", async ct =>
        {
            leadingToken.SetResult(ct);
            await Task.Delay(-1, ct);
        }, stopped.SetResult));

        var run = elector.RunAsync(CancellationToken.None);
        var token = await leadingToken.Task.WaitAsync(Timeout);

        _client.Fault = _ => new KubeApiException(503, null, "api server down");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await stopped.Task.WaitAsync(Timeout);
        await run.WaitAsync(Timeout);

        Assert.True(token.IsCancellationRequested);
        Assert.False(elector.IsLeader);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(400), $"lost after {watch.Elapsed}");
        _client.Fault = null;
        Assert.Equal("a", (await LeaseSpec()).GetString("holderIdentity")); // not released: it could not reach the lease
    }

    [Fact]
    public async Task ConcurrentCandidates_NeverLeadAtTheSameTime()
    {
        var leaders = 0;
        var maxLeaders = 0;
        var terms = 0;
        using var cts = new CancellationTokenSource();
        var runs = Enumerable.Range(0, 3).Select(i => new LeaderElector(_client, Options($"c{i}", async ct =>
        {
            var now = Interlocked.Increment(ref leaders);
            InterlockedMax(ref maxLeaders, now);
            try
            {
                await Task.Delay(200, CancellationToken.None); // a short term, then give up (release) and campaign again
            }
            finally
            {
                Interlocked.Decrement(ref leaders);
                Interlocked.Increment(ref terms);
            }
        })).RunAsync(cts.Token)).ToList();

        await Wait.UntilAsync(() => Volatile.Read(ref terms) >= 2 || runs.All(r => r.IsCompleted), "leadership terms");
        await cts.CancelAsync();
        await Task.WhenAll(runs).WaitAsync(Timeout);
        Assert.Equal(1, maxLeaders);
    }

    [Fact]
    public void RejectsInconsistentDurations()
    {
        Assert.Throws<ArgumentException>(() => new LeaderElector(_client, new LeaderElectionOptions
        {
            LeaseNamespace = Ns,
            LeaseName = Name,
            Identity = "a",
            LeaseDuration = TimeSpan.FromSeconds(5),
            RenewDeadline = TimeSpan.FromSeconds(5),
        }));
        Assert.Throws<ArgumentException>(() => new LeaderElector(_client, new LeaderElectionOptions
        {
            LeaseNamespace = Ns,
            LeaseName = Name,
            Identity = "a",
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromSeconds(2),
        }));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
