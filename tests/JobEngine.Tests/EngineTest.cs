using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

/// <summary>Base of the engine tests: a connection of the test's own and a unique queue name.</summary>
public abstract class EngineTest(RedisServer redis) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];

    protected RedisServer Redis { get; } = redis;

    protected ConnectionMultiplexer Connection { get; private set; } = null!;

    protected IDatabase Db => Connection.GetDatabase();

    protected string QueueName { get; } = "q" + Guid.NewGuid().ToString("N")[..12];

    protected string K(string suffix) => $"bull:{QueueName}:{suffix}";

    public virtual async Task InitializeAsync() =>
        Connection = await ConnectionMultiplexer.ConnectAsync($"{Redis.ConnectionString},abortConnect=false,connectRetry=5,allowAdmin=true");

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

    protected Queue NewQueue(QueueOptions? options = null) => Track(new Queue(QueueName, Connection, options));

    protected Worker NewWorker(JobProcessor processor, WorkerOptions? options = null) =>
        Track(new Worker(QueueName, Connection, processor, options));

    protected QueueEvents NewQueueEvents() => Track(new QueueEvents(QueueName, Connection));

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
}
