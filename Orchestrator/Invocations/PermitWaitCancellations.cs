using System.Collections.Concurrent;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>
/// The orchestrations waiting here for a permit, by invocation id, so a cancel (channel <c>botsystem:cancel</c>) stops
/// the wait at once: waiting on, a cancelled invocation would keep its place among the type's waiters and its slot here
/// until a bot of its type ended, only to hand the permit back. A cancel sent while the connection was down is never
/// heard, so each time it comes back the records of the waiting invocations are read for one.
/// </summary>
public sealed class PermitWaitCancellations
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<PermitWaitCancellations> _logger;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _waiting = new();

    public PermitWaitCancellations(IConnectionMultiplexer redis, ILogger<PermitWaitCancellations> logger)
    {
        _redis = redis;
        _logger = logger;
        redis.ConnectionRestored += (_, _) => _ = CancelThoseCancelledMeanwhileAsync();
    }

    public async Task SubscribeAsync() =>
        await CancellationSignal.SubscribeAsync(_redis, Cancel);

    private async Task CancelThoseCancelledMeanwhileAsync()
    {
        try
        {
            foreach (var invocationId in _waiting.Keys)
            {
                if (await InvocationRecord.IsCancelledAsync(_redis.GetDatabase(), invocationId))
                {
                    Cancel(invocationId);
                }
            }
        }
        catch (Exception e) when (RedisOutage.Is(e))
        {
            // Gone again: its next return reads them all again.
            _logger.LogDebug(e, "Could not read the waiting invocations' records for cancels sent while Redis was out of reach");
        }
    }

    /// <summary>A wait of <paramref name="invocationId"/> until it is disposed: its token fires on a cancel or with <paramref name="ct"/>.</summary>
    public Wait Watch(string invocationId, CancellationToken ct)
    {
        var wait = new Wait(this, invocationId, CancellationTokenSource.CreateLinkedTokenSource(ct));
        _waiting[invocationId] = wait.Source;
        return wait;
    }

    private void Cancel(string invocationId)
    {
        if (_waiting.TryGetValue(invocationId, out var source))
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The wait ended meanwhile.
            }
        }
    }

    public sealed class Wait(PermitWaitCancellations owner, string invocationId, CancellationTokenSource source) : IDisposable
    {
        internal CancellationTokenSource Source => source;

        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            owner._waiting.TryRemove(KeyValuePair.Create(invocationId, source));
            source.Dispose();
        }
    }
}
