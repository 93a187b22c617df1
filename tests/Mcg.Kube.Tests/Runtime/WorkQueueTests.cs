using System.Collections.Concurrent;
using System.Diagnostics;
using Mcg.Kube.Runtime;

namespace Mcg.Kube.Tests.Runtime;

public class WorkQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Add_DeduplicatesQueuedItems()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal(("a", false), await queue.GetAsync());
        Assert.Equal(("b", false), await queue.GetAsync());
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ItemBeingProcessed_IsNotHandedOutAgainUntilDone()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        var (item, _) = await queue.GetAsync();

        queue.Add("a");
        Assert.Equal(0, queue.Count);
        var second = queue.GetAsync();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        queue.Done(item);
        Assert.Equal(("a", false), await second.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Done_WithoutReAdd_DoesNotRequeue()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        var (item, _) = await queue.GetAsync();
        queue.Done(item);
        Assert.Equal(0, queue.Count);
        queue.Add("a");
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task WaitingGetter_ReceivesItemAddedLater()
    {
        using var queue = new WorkQueue<int>();
        var get = queue.GetAsync();
        Assert.False(get.IsCompleted);
        queue.Add(7);
        Assert.Equal((7, false), await get.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ConcurrentWorkers_NeverProcessTheSameKeyAtOnce()
    {
        using var queue = new WorkQueue<int>();
        var inFlight = new ConcurrentDictionary<int, int>();
        var violations = 0;
        var processed = 0;
        using var cts = new CancellationTokenSource();

        async Task Worker()
        {
            while (true)
            {
                var (item, shutDown) = await queue.GetAsync(cts.Token);
                if (shutDown)
                {
                    return;
                }
                if (!inFlight.TryAdd(item, 0))
                {
                    Interlocked.Increment(ref violations);
                }
                await Task.Delay(1);
                queue.Add(item % 3 == 0 ? item : item + 1); // re-add while processing
                inFlight.TryRemove(item, out _);
                Interlocked.Increment(ref processed);
                queue.Done(item);
            }
        }

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(Worker)).ToArray();
        for (var i = 0; i < 5; i++)
        {
            queue.Add(i);
        }
        await Wait.UntilAsync(() => Volatile.Read(ref processed) > 300, "items to be processed");
        queue.ShutDown();
        await Task.WhenAll(workers).WaitAsync(Timeout);
        Assert.Equal(0, violations);
    }

    [Fact]
    public async Task AddAfter_DelaysTheItem()
    {
        using var queue = new WorkQueue<string>();
        var watch = Stopwatch.StartNew();
        queue.AddAfter("a", TimeSpan.FromMilliseconds(150));
        Assert.Equal(0, queue.Count);

        var (item, _) = await queue.GetAsync().WaitAsync(Timeout);
        Assert.Equal("a", item);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(130), $"arrived after {watch.Elapsed}");
    }

    [Fact]
    public async Task AddAfter_KeepsTheEarliestDeadline()
    {
        using var queue = new WorkQueue<string>();
        queue.AddAfter("a", TimeSpan.FromSeconds(30));
        queue.AddAfter("a", TimeSpan.FromMilliseconds(50));
        queue.AddAfter("a", TimeSpan.FromSeconds(20));

        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AddAfter_NonPositiveDelay_AddsAtOnce()
    {
        using var queue = new WorkQueue<string>();
        queue.AddAfter("a", TimeSpan.Zero);
        Assert.Equal(1, queue.Count);
        Assert.Equal(("a", false), await queue.GetAsync());
    }

    [Fact]
    public void ExponentialLimiter_DoublesPerFailureUpToMax_AndForgetResets()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
        Assert.Equal(3, limiter.NumRequeues("a"));
        for (var i = 0; i < 100; i++)
        {
            limiter.When("a");
        }
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.When("a"));

        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public void BucketLimiter_AllowsBurstThenSpacesByQps()
    {
        var time = new ManualTime();
        var limiter = new BucketRateLimiter<string>(qps: 10, burst: 3, time);
        Assert.Equal(TimeSpan.Zero, limiter.When("a"));
        Assert.Equal(TimeSpan.Zero, limiter.When("b"));
        Assert.Equal(TimeSpan.Zero, limiter.When("c"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("d"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When("e"));

        time.Advance(TimeSpan.FromMilliseconds(250)); // pays back the 2 reserved tokens and refills half a token
        Assert.Equal(TimeSpan.FromMilliseconds(50), limiter.When("f"));

        time.Advance(TimeSpan.FromSeconds(10)); // refills up to the burst only
        Assert.Equal(TimeSpan.Zero, limiter.When("g"));
        Assert.Equal(TimeSpan.Zero, limiter.When("h"));
        Assert.Equal(TimeSpan.Zero, limiter.When("i"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("j"));
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    // Timers tick on a coarse clock (up to ~10 ms early against Stopwatch), hence the lower bounds with slack.
    [Fact]
    public async Task AddRateLimited_BacksOffPerItem_AndForgetResets()
    {
        using var queue = new WorkQueue<string>(new WorkQueueOptions { BaseDelay = TimeSpan.FromMilliseconds(50) });
        var watch = Stopwatch.StartNew();
        queue.AddRateLimited("a");
        var (item, _) = await queue.GetAsync().WaitAsync(Timeout);
        var first = watch.Elapsed;
        queue.Done(item);

        watch.Restart();
        queue.AddRateLimited("a");
        (item, _) = await queue.GetAsync().WaitAsync(Timeout);
        var second = watch.Elapsed;
        queue.Done(item);

        Assert.True(first >= TimeSpan.FromMilliseconds(35), $"first retry after {first}");
        Assert.True(second >= TimeSpan.FromMilliseconds(80), $"second retry after {second}");
        Assert.Equal(2, queue.NumRequeues("a"));
        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task ShutDown_WakesWaitingGetters_IgnoresAdds_AndDrainsQueuedItems()
    {
        var queue = new WorkQueue<string>();
        var waiting = queue.GetAsync();
        queue.ShutDown();
        Assert.True((await waiting.WaitAsync(Timeout)).ShutDown);

        var queue2 = new WorkQueue<string>();
        queue2.Add("a");
        queue2.AddAfter("b", TimeSpan.FromMilliseconds(10));
        queue2.ShutDown();
        queue2.Add("c");
        Assert.True(queue2.IsShuttingDown);
        Assert.Equal(("a", false), await queue2.GetAsync());
        await Task.Delay(50);
        Assert.True((await queue2.GetAsync()).ShutDown);
    }

    [Fact]
    public async Task CancelledGetter_DoesNotSwallowItems()
    {
        using var queue = new WorkQueue<string>();
        using var cts = new CancellationTokenSource();
        var cancelled = queue.GetAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        queue.Add("a");
        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(Timeout));
    }
}
