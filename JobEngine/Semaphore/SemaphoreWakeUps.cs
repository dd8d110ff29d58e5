using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>
/// One subscription per connection and semaphore to the channel where scripts publish the ids of
/// waiters that may now take a permit; each message wakes the local waiter with that id at once.
/// </summary>
internal sealed class SemaphoreWakeUps
{
    private static readonly ConditionalWeakTable<IConnectionMultiplexer, ConcurrentDictionary<string, SemaphoreWakeUps>> PerConnection = [];

    private readonly ConcurrentDictionary<string, Channel<bool>> _waiters = new();
    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _channel;
    private readonly Lock _subscribing = new();
    private Task? _subscription;

    private SemaphoreWakeUps(ISubscriber subscriber, RedisChannel channel)
    {
        _subscriber = subscriber;
        _channel = channel;
    }

    public static SemaphoreWakeUps For(IConnectionMultiplexer redis, RedisChannel channel) =>
        PerConnection.GetValue(redis, _ => new())
            .GetOrAdd(channel.ToString(), _ => new SemaphoreWakeUps(redis.GetSubscriber(), channel));

    /// <summary>Subscribes on first use; a failed attempt is retried by the next caller.</summary>
    public Task EnsureSubscribedAsync()
    {
        lock (_subscribing)
        {
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _subscription = _subscriber.SubscribeAsync(_channel, (_, waiterId) => Wake(waiterId!));
            }
            return _subscription;
        }
    }

    /// <summary>Registers a waiter; its reader completes an item per wake-up, at most one pending.</summary>
    public ChannelReader<bool> Register(string waiterId)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        _waiters[waiterId] = signal;
        return signal.Reader;
    }

    public void Unregister(string waiterId) => _waiters.TryRemove(waiterId, out _);

    private void Wake(string waiterId)
    {
        if (_waiters.TryGetValue(waiterId, out var signal))
        {
            signal.Writer.TryWrite(true);
        }
    }
}
