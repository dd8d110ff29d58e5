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
    private static readonly TimeSpan StartupConnectTimeout = TimeSpan.FromSeconds(10);

    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"The Redis connection string 'ConnectionStrings:{connectionName}' is missing. " +
                $"Set the environment variable ConnectionStrings__{connectionName}=host:port (the AppHost does this).");
        }

        // Connect now so a missing Redis fails the start with one clear message; afterwards the
        // multiplexer reconnects by itself when Redis goes away and returns.
        builder.Services.AddSingleton<IConnectionMultiplexer>(Connect(connectionName, connectionString));
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>(connectionName, tags: ["ready"]);
        return builder;
    }

    private static ConnectionMultiplexer Connect(string connectionName, string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = (int)StartupConnectTimeout.TotalMilliseconds;
        options.ClientName ??= connectionName;
        try
        {
            return ConnectionMultiplexer.Connect(options);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"Redis '{connectionName}' at '{connectionString}' is unreachable: {ex.Message.Split('\n')[0]} " +
                "Start redis-server or fix ConnectionStrings__" + connectionName + ".", ex);
        }
    }
}
