using System.Threading.Channels;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>
/// A distributed counting semaphore: at most <c>limit</c> leases on one name at a time across all
/// processes sharing a Redis. Waiters are admitted by priority (lower number first), first come first
/// served within one priority, and are woken through Redis pub/sub the moment a permit frees up.
/// Leases are renewed while held, so the permit of a crashed holder returns within the lease time.
/// </summary>
public sealed class RedisSemaphore
{
    /// <summary>The highest (least urgent) priority number accepted, as in BullMQ.</summary>
    public const int MaxPriority = 2_097_151;

    private static readonly TimeSpan MinimumLeaseTime = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreScripts _scripts;
    private readonly SemaphoreWakeUps _wakeUps;
    private readonly RedisSemaphoreOptions _options;

    /// <summary>Creates a handle on the semaphore <paramref name="name"/>; nothing is written to Redis yet.</summary>
    /// <param name="redis">The connection to use; wake-ups arrive over its pub/sub subscription.</param>
    /// <param name="name">The semaphore name, e.g. a bot type. Must not contain braces.</param>
    /// <param name="limit">
    /// The limit stored on first use when the semaphore has none yet; later changes go through
    /// <see cref="SetLimitAsync"/> so that every process sees the same limit.
    /// </param>
    /// <param name="options">Prefix, lease time and holder name.</param>
    public RedisSemaphore(IConnectionMultiplexer redis, string name, int limit, RedisSemaphoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny(['{', '}']) >= 0)
        {
            throw new ArgumentException("A semaphore name must not contain '{' or '}'; it becomes the hash tag of its keys.", nameof(name));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _options = options ?? new RedisSemaphoreOptions();
        if (string.IsNullOrWhiteSpace(_options.Prefix))
        {
            throw new ArgumentException("RedisSemaphoreOptions.Prefix must not be empty.", nameof(options));
        }
        if (_options.LeaseTime < MinimumLeaseTime)
        {
            throw new ArgumentException($"RedisSemaphoreOptions.LeaseTime must be at least {MinimumLeaseTime.TotalMilliseconds} ms.", nameof(options));
        }
        if (string.IsNullOrWhiteSpace(_options.HolderName))
        {
            throw new ArgumentException("RedisSemaphoreOptions.HolderName must not be empty.", nameof(options));
        }

        Name = name;
        var keys = new SemaphoreKeys(_options.Prefix, name);
        _scripts = new SemaphoreScripts(redis, keys, limit);
        _wakeUps = SemaphoreWakeUps.For(redis, keys.WakeChannel);
    }

    /// <summary>The semaphore name.</summary>
    public string Name { get; }

    /// <summary>How long a lease lasts without renewal.</summary>
    public TimeSpan LeaseTime => _options.LeaseTime;

    /// <summary>
    /// Waits for a permit. Admission follows <paramref name="priority"/> (0 first, then 1 up to
    /// <see cref="MaxPriority"/>), and arrival order within one priority.
    /// </summary>
    /// <param name="priority">Lower numbers are admitted first.</param>
    /// <param name="ct">Gives up waiting and leaves the queue.</param>
    /// <exception cref="ArgumentOutOfRangeException">The priority is negative or above <see cref="MaxPriority"/>.</exception>
    public async Task<SemaphoreLease> AcquireAsync(int priority = 0, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(priority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, MaxPriority);
        ct.ThrowIfCancellationRequested();

        var token = NewToken();
        var waiterId = NewToken();
        var wakeUp = _wakeUps.Register(waiterId);
        try
        {
            // Subscribed before queueing, so a wake-up published right after cannot be missed.
            await _wakeUps.EnsureSubscribedAsync();
            var heartbeat = _options.LeaseTime / 3;
            while (true)
            {
                bool admitted;
                long value;
                try
                {
                    (admitted, value) = await _scripts.AcquireAsync(token, _options.HolderName, _options.LeaseTime, waiterId, priority);
                }
                catch (Exception e) when (RedisOutage.Is(e))
                {
                    // Redis restarts, fails over or stalls: ask again at the next heartbeat. The place in the queue
                    // outlives an outage shorter than a heartbeat, and a repeat of a call that took the permit gets it.
                    await WaitForWakeUpAsync(wakeUp, heartbeat, ct);
                    continue;
                }
                if (admitted)
                {
                    return new SemaphoreLease(_scripts, token, _options.LeaseTime);
                }
                // Besides wake-ups, wake for the heartbeat and when the earliest lease runs out, so a
                // crashed holder's permit is taken back by the waiters themselves.
                var wait = value >= 0 ? TimeSpan.FromMilliseconds(Math.Min(value + 1, heartbeat.TotalMilliseconds)) : heartbeat;
                await WaitForWakeUpAsync(wakeUp, wait, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await _scripts.LeaveAsync(waiterId, token);
            throw;
        }
        finally
        {
            _wakeUps.Unregister(waiterId);
        }
    }

    /// <summary>Takes a permit only if one is free and nobody is waiting ahead; otherwise returns null.</summary>
    public async Task<SemaphoreLease?> TryAcquireAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var token = NewToken();
        var (admitted, _) = await _scripts.AcquireAsync(token, _options.HolderName, _options.LeaseTime, "", 0);
        return admitted ? new SemaphoreLease(_scripts, token, _options.LeaseTime) : null;
    }

    /// <summary>
    /// Takes over a lease from its persisted <see cref="SemaphoreLease.Token"/>, e.g. after a restart,
    /// and renews it from now on. Returns null when the lease is gone or already ran out.
    /// </summary>
    /// <exception cref="ArgumentException">The token is empty.</exception>
    public Task<SemaphoreLease?> ReattachAsync(string token, CancellationToken ct = default) => ReattachAsync(token, _options.LeaseTime, ct);

    /// <summary>
    /// Takes over a lease as <see cref="ReattachAsync(string, CancellationToken)"/> does, renewing it for
    /// <paramref name="leaseTime"/> (the <see cref="SemaphoreLease.LeaseTime"/> it was taken with) rather than this semaphore's.
    /// </summary>
    /// <exception cref="ArgumentException">The token is empty, or the lease time below the minimum.</exception>
    public async Task<SemaphoreLease?> ReattachAsync(string token, TimeSpan leaseTime, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        ArgumentOutOfRangeException.ThrowIfLessThan(leaseTime, MinimumLeaseTime);
        ct.ThrowIfCancellationRequested();
        var expiry = await _scripts.RenewAsync(token, leaseTime, _options.HolderName);
        return expiry is null ? null : new SemaphoreLease(_scripts, token, leaseTime);
    }

    /// <summary>The limit, the leases held and the callers waiting, after dropping expired ones.</summary>
    public Task<SemaphoreCounts> GetCountsAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return _scripts.CountsAsync();
    }

    /// <summary>The leases held now, earliest expiry first.</summary>
    public Task<IReadOnlyList<SemaphoreHolder>> GetHoldersAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return _scripts.HoldersAsync();
    }

    /// <summary>
    /// Changes the limit for every process. A raised limit admits waiters at once; a lowered one lets
    /// current holders finish and admits nobody until the holders are below it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is negative.</exception>
    public Task SetLimitAsync(int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ct.ThrowIfCancellationRequested();
        return _scripts.SetLimitAsync(limit);
    }

    private static async Task WaitForWakeUpAsync(ChannelReader<bool> wakeUp, TimeSpan wait, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            await wakeUp.WaitToReadAsync(timeout.Token);
            wakeUp.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The wait ran out: time for a heartbeat or for taking back an expired lease.
        }
    }

    private static string NewToken() => Guid.NewGuid().ToString("N");
}
