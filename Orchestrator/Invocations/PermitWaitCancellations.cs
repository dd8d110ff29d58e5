using System.Collections.Concurrent;
using BotSystem.Contracts;
using StackExchange.Redis;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>
/// The orchestrations waiting here for a permit, by invocation id, so a cancel (channel <c>botsystem:cancel</c>) stops
/// the wait at once: waiting on, a cancelled invocation would keep its place among the type's waiters and its slot here
/// until a bot of its type ended, only to hand the permit back.
/// </summary>
public sealed class PermitWaitCancellations(IConnectionMultiplexer redis)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _waiting = new();

    public async Task SubscribeAsync() =>
        await CancellationSignal.SubscribeAsync(redis, Cancel);

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
