using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Tells an outage of Redis, which passes, from a fault of the call itself.</summary>
public static class RedisOutage
{
    /// <summary>How long to wait before asking Redis again while it is out.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private static readonly string[] TransientServerErrors = ["LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "OOM", "MISCONF"];

    /// <summary>
    /// Runs <paramref name="step"/> until it gets through, again every <see cref="RetryDelay"/> while Redis is out, until
    /// <paramref name="ct"/> is cancelled; <paramref name="waiting"/> is told of the outage that first holds it up.
    /// </summary>
    public static async Task<T> WaitOutAsync<T>(Func<Task<T>> step, Action<Exception>? waiting, CancellationToken ct)
    {
        var told = false;
        while (true)
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (Exception e) when (Is(e) && !ct.IsCancellationRequested)
            {
                if (!told)
                {
                    waiting?.Invoke(e);
                    told = true;
                }
            }
            await Task.Delay(RetryDelay, ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc cref="WaitOutAsync{T}"/>
    public static Task WaitOutAsync(Func<Task> step, Action<Exception>? waiting, CancellationToken ct) =>
        WaitOutAsync(async () =>
        {
            await step().ConfigureAwait(false);
            return true;
        }, waiting, ct);

    /// <summary>
    /// Whether Redis was unreachable, did not answer in time, or refused the call for now: while it loads its data,
    /// fails over (read-only replica, cluster down), is out of memory or cannot persist writes (disk full).
    /// </summary>
    public static bool Is(Exception exception) => exception switch
    {
        RedisUnavailableException or RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => TransientServerErrors.Any(prefix => server.Message.StartsWith(prefix, StringComparison.Ordinal)),
        _ => false,
    };
}
