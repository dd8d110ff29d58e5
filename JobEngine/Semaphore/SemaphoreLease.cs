using System.Diagnostics;

namespace BotSystem.JobEngine;

/// <summary>
/// A permit held on a <see cref="RedisSemaphore"/>, renewed in the background every third of the lease
/// time until released or detached. Disposing releases it.
/// </summary>
public sealed class SemaphoreLease : IAsyncDisposable
{
    private readonly SemaphoreScripts _scripts;
    private readonly TimeSpan _leaseTime;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stopRenewing = new();
    private readonly Task _renewing;
    private int _ended;

    internal SemaphoreLease(SemaphoreScripts scripts, string token, TimeSpan leaseTime)
    {
        _scripts = scripts;
        _leaseTime = leaseTime;
        Token = token;
        _renewing = Task.Run(RenewUntilStoppedAsync);
    }

    /// <summary>
    /// Identifies the lease; persist it to take the lease over after a restart with
    /// <see cref="RedisSemaphore.ReattachAsync(string, CancellationToken)"/>.
    /// </summary>
    public string Token { get; }

    /// <summary>How long each renewal keeps the permit taken; persist it with the token so a process taking the lease over renews it alike.</summary>
    public TimeSpan LeaseTime => _leaseTime;

    /// <summary>Fires when a renewal finds the lease gone (it ran out or was removed); not on release.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Stops renewing and returns the permit; later calls, and a detach, do nothing.</summary>
    public async Task ReleaseAsync()
    {
        if (await StopRenewingAsync())
        {
            await _scripts.ReleaseAsync(Token);
        }
    }

    /// <summary>
    /// Stops renewing and keeps the permit: it stays taken until its lease runs out, for another process to take over
    /// with <see cref="RedisSemaphore.ReattachAsync(string, CancellationToken)"/> meanwhile. Later calls, and a release, do nothing.
    /// </summary>
    public async Task DetachAsync() => await StopRenewingAsync();

    /// <inheritdoc cref="ReleaseAsync"/>
    public async ValueTask DisposeAsync() => await ReleaseAsync();

    // False when the lease was released or detached before.
    private async Task<bool> StopRenewingAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return false;
        }
        await _stopRenewing.CancelAsync();
        await _renewing;
        _stopRenewing.Dispose();
        return true;
    }

    private async Task RenewUntilStoppedAsync()
    {
        var interval = _leaseTime / 3;
        // Measured from before each request, so the local estimate of the expiry never runs late.
        var validUntil = Stopwatch.GetTimestamp() + (long)(_leaseTime.TotalSeconds * Stopwatch.Frequency);
        var stop = _stopRenewing.Token;
        try
        {
            while (true)
            {
                await Task.Delay(interval, stop);
                var sentAt = Stopwatch.GetTimestamp();
                try
                {
                    if (await _scripts.RenewAsync(Token, _leaseTime, "") is null)
                    {
                        await _lost.CancelAsync();
                        return;
                    }
                    validUntil = sentAt + (long)(_leaseTime.TotalSeconds * Stopwatch.Frequency);
                }
                catch (Exception) when (!stop.IsCancellationRequested && Stopwatch.GetTimestamp() < validUntil)
                {
                    // Redis unreachable for now; the lease is still ours until it would have run out.
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    await _lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Released.
        }
    }
}
