using StackExchange.Redis;

namespace BotSystem.Contracts;

/// <summary>How runners are told to kill a running bot: a key checked before start and every few seconds, and a channel.</summary>
public static class CancellationSignal
{
    public const string Channel = "botsystem:cancel";

    public static string Key(string invocationId) => "botsystem:cancel:" + invocationId;

    public static readonly TimeSpan KeyLifetime = TimeSpan.FromHours(1);

    /// <summary>Whether the runners were told to kill the bot of <paramref name="invocationId"/> (within <see cref="KeyLifetime"/>).</summary>
    public static Task<bool> WasSentAsync(IDatabaseAsync database, string invocationId) => database.KeyExistsAsync(Key(invocationId));

    /// <summary>Tells the runners to kill the bot of <paramref name="invocationId"/>, whether it runs now or starts later.</summary>
    public static async Task SendAsync(IConnectionMultiplexer redis, string invocationId)
    {
        await redis.GetDatabase().StringSetAsync(Key(invocationId), "1", KeyLifetime);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(Channel), invocationId);
    }

    /// <summary>Calls <paramref name="cancelled"/> with the invocation id of each cancel sent from now on.</summary>
    public static Task SubscribeAsync(IConnectionMultiplexer redis, Action<string> cancelled) =>
        redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel), (_, invocationId) => cancelled(invocationId!));
}
