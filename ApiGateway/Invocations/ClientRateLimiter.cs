using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>
/// Two token buckets per client, one for reads (GET, HEAD) and one for the rest, each of the configured size: a
/// client polling its jobs never uses up what it needs to invoke, nor the other way round.
/// </summary>
public sealed class ClientRateLimiter(IOptions<GatewayOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<(string ClientId, bool Read), TokenBucketRateLimiter> _buckets = new();

    /// <summary>Null when the request may proceed; otherwise how long until a token is free.</summary>
    public TimeSpan? TryAcquire(string clientId, string method)
    {
        var bucket = _buckets.GetOrAdd((clientId, HttpMethods.IsGet(method) || HttpMethods.IsHead(method)), _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.RateLimitBurst,
            TokensPerPeriod = options.Value.RateLimitPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
