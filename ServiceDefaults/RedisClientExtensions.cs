using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers one <see cref="IConnectionMultiplexer"/> per connection name, with a health check,
/// the way <c>Aspire.StackExchange.Redis</c> does for a hosted application.
/// </summary>
public static class RedisClientExtensions
{
    // The start tries Redis once, for this long at most: the client may wait out its whole connect timeout even when the
    // connection is refused, and a service should listen (unhealthy) at once, not seconds later. It reconnects in the background.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"The Redis connection string 'ConnectionStrings:{connectionName}' is missing. " +
                $"Set the environment variable ConnectionStrings__{connectionName}=host:port (the AppHost does this).");
        }

        // Connected before the service starts when Redis answers. When it does not yet (it starts after this service, or
        // restarts), the service starts all the same and connects once it answers, unhealthy until then: failing the start
        // would have a supervisor restart it over and over, each time later, and so bring it back long after Redis.
        builder.Services.AddSingleton<IConnectionMultiplexer>(Connect(connectionName, connectionString));
        builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<RedisConnectionLog>(services, connectionName));
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>(connectionName, tags: ["ready"]);
        return builder;
    }

    private static ConnectionMultiplexer Connect(string connectionName, string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        options.ConnectRetry = 1;
        // Back within a second or so of Redis answering again, where the client's default waits at least half the connect
        // timeout: job locks and permit leases are renewed over this connection, and run out if it comes back late.
        options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 2_000);
        options.ClientName ??= connectionName;
        return ConnectionMultiplexer.Connect(options);
    }
}
