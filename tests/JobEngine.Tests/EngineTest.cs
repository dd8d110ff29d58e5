using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

/// <summary>
/// Base of the engine tests: a connection of the test's own, a unique queue name, and the prefix of the
/// <see cref="EngineTarget"/> (one server or a cluster) the test runs on.
/// </summary>
public abstract class EngineTest(EngineTarget target) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly RedisServer? _server;

    /// <summary>A test that also stops, restarts or inspects the one redis-server it runs on.</summary>
    protected EngineTest(RedisServer redis) : this(EngineTarget.Server(redis)) => _server = redis;

    protected EngineTarget Target { get; } = target;

    protected RedisServer Redis => _server ?? throw new InvalidOperationException("This test class runs on an EngineTarget, not on one RedisServer.");

    protected ConnectionMultiplexer Connection { get; private set; } = null!;

    protected IDatabase Db => Connection.GetDatabase();

    protected string QueueName { get; } = "q" + Guid.NewGuid().ToString("N")[..12];

    protected string Prefix => Target.Prefix;

    protected string K(string suffix) => $"{Prefix}:{QueueName}:{suffix}";

    public virtual async Task InitializeAsync() =>
        Connection = await ConnectionMultiplexer.ConnectAsync($"{Target.ConnectionString},abortConnect=false,connectRetry=5,allowAdmin=true");

    public virtual async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }
        await Connection.DisposeAsync();
    }

    protected T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    protected Queue NewQueue(QueueOptions? options = null) =>
        Track(new Queue(QueueName, Connection, (options ?? new QueueOptions()) with { Prefix = Prefix }));

    protected Worker NewWorker(JobProcessor processor, WorkerOptions? options = null) =>
        Track(new Worker(QueueName, Connection, processor, (options ?? new WorkerOptions()) with { Prefix = Prefix }));

    protected QueueEvents NewQueueEvents() => Track(new QueueEvents(QueueName, Connection, Prefix));

    /// <summary>Polls until <paramref name="condition"/> holds; generous timeouts keep the test stable on a busy machine.</summary>
    protected static async Task Eventually(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"Condition not met in time{(because is null ? "" : ": " + because)}.");
    }

    /// <summary>
    /// When each job of the queue was activated, by the server's clock (the ids of the <c>active</c> events), in order;
    /// unlike times taken in a processor, these carry no client-side scheduling delay.
    /// </summary>
    protected async Task<long[]> ActivationTimesAsync() =>
        (await Db.StreamRangeAsync(K("events")))
            .Where(entry => entry["event"] == "active")
            .Select(entry => long.Parse(((string)entry.Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Order().ToArray();

    /// <summary>
    /// Asserts that the activations respected a limit of <paramref name="max"/> per <paramref name="window"/>: each window
    /// opens at its first activation, so every <paramref name="max"/>-th activation must open a new one.
    /// </summary>
    protected static void AssertAtMostPerWindow(long[] activations, int max, TimeSpan window)
    {
        for (var first = 0; first + max < activations.Length; first += max)
        {
            Assert.True(activations[first + max] - activations[first] >= window.TotalMilliseconds - 10,
                $"more than {max} activations within {window.TotalMilliseconds} ms: {string.Join(", ", activations)}");
        }
    }

    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> if it is lower, from any thread.</summary>
    protected static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
