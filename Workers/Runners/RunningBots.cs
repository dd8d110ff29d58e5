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
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    public async Task SubscribeAsync() =>
        await CancellationSignal.SubscribeAsync(redis, Cancel);

    /// <summary>
    /// Looks for the cancellation signal of every running bot every few seconds until <paramref name="stopping"/>: a
    /// cancellation published while this process could not reach Redis (a network partition, a reconnect) never arrives.
    /// </summary>
    public async Task SweepUntilStoppedAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var database = redis.GetDatabase();
                try
                {
                    var signals = await Task.WhenAll(_running.Keys.Select(async invocationId =>
                        (invocationId, Signalled: await CancellationSignal.WasSentAsync(database, invocationId))));
                    foreach (var (invocationId, _) in signals.Where(signal => signal.Signalled))
                    {
                        Cancel(invocationId);
                    }
                }
                catch (Exception ex) when (RedisOutage.Is(ex))
                {
                    // The next sweep looks again.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Cancel(string invocationId)
    {
        if (_running.TryGetValue(invocationId, out var cancellation) && !cancellation.IsCancellationRequested)
        {
            logger.LogInformation("Cancelling the bot of invocation {InvocationId}", invocationId);
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The bot ended meanwhile.
            }
        }
    }

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
            Ended(invocationId, cancellation);
            cancellation.Dispose();
            throw;
        }
    }

    private Task<bool> WasCancelledAsync(string invocationId, CancellationToken processing) =>
        RedisOutage.WaitOutAsync(() => CancellationSignal.WasSentAsync(redis.GetDatabase(), invocationId), null, processing);

    /// <summary>
    /// Unregisters an ended bot; not a later run of the same invocation registered meanwhile (a job taken up again while
    /// its run here, whose lock was lost, was still winding up), which a cancel must still reach.
    /// </summary>
    public void Ended(string invocationId, CancellationTokenSource cancellation) => _running.TryRemove(KeyValuePair.Create(invocationId, cancellation));
}
