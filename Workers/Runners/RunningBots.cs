using System.Collections.Concurrent;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.Workers.Runners;

/// <summary>
/// The bots running in this process by invocation id, so a cancellation published by the gateway
/// (channel <c>botsystem:cancel</c>) kills the right one.
/// </summary>
public sealed class RunningBots(IConnectionMultiplexer redis, ILogger<RunningBots> logger)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    public async Task SubscribeAsync() =>
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(CancellationSignal.Channel), (_, invocationId) =>
        {
            if (_running.TryGetValue(invocationId!, out var cancellation))
            {
                logger.LogInformation("Cancelling the bot of invocation {InvocationId}", (string?)invocationId);
                cancellation.Cancel();
            }
        });

    /// <summary>
    /// Registers a starting bot; the token fires when its invocation is cancelled, also if that happened before start
    /// (which Redis tells, so an outage of it is waited out rather than failing the bot's attempt).
    /// </summary>
    public async Task<CancellationTokenSource> StartAsync(string invocationId, CancellationToken processing)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(processing);
        _running[invocationId] = cancellation;
        try
        {
            if (await WasCancelledAsync(invocationId, processing))
            {
                await cancellation.CancelAsync();
            }
            return cancellation;
        }
        catch
        {
            Ended(invocationId);
            cancellation.Dispose();
            throw;
        }
    }

    private async Task<bool> WasCancelledAsync(string invocationId, CancellationToken processing)
    {
        while (true)
        {
            try
            {
                return await redis.GetDatabase().KeyExistsAsync(CancellationSignal.Key(invocationId));
            }
            catch (Exception ex) when (RedisOutage.Is(ex) && !processing.IsCancellationRequested)
            {
                await Task.Delay(RedisOutage.RetryDelay, processing);
            }
        }
    }

    public void Ended(string invocationId) => _running.TryRemove(invocationId, out _);
}
