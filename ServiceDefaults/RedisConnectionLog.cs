using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Says, while the service starts without Redis, where it looks for it and how to fix a wrong address, and says again
/// every half minute until Redis answers; then once that it does.
/// </summary>
internal sealed class RedisConnectionLog(IConnectionMultiplexer redis, string connectionName, ILogger<RedisConnectionLog> logger)
    : BackgroundService
{
    private static readonly TimeSpan Reminder = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (redis.IsConnected)
        {
            return;
        }
        var waitingSince = DateTime.UtcNow;
        var lastSaid = DateTime.MinValue;
        while (!redis.IsConnected)
        {
            if (DateTime.UtcNow - lastSaid >= Reminder)
            {
                logger.LogWarning("Redis '{ConnectionName}' at {EndPoints} does not answer; the service is unhealthy until it does. " +
                    "Start redis-server, or fix ConnectionStrings__{ConnectionName}.", connectionName, string.Join(", ", redis.GetEndPoints().Select(EndPointCollection.ToString)), connectionName);
                lastSaid = DateTime.UtcNow;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
        }
        logger.LogInformation("Redis '{ConnectionName}' answers after {Seconds:0} s", connectionName, (DateTime.UtcNow - waitingSince).TotalSeconds);
    }
}
