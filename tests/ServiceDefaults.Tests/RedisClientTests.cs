using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ServiceDefaults.Tests;

public sealed class RedisClientTests
{
    // A stalled Redis takes the connection and never answers, so the client waits out all it was told to try; a refused
    // connection meets the same wait now and then.
    [Fact]
    public async Task A_service_starting_while_redis_stalls_waits_for_it_two_seconds_at_most_and_connects_once_it_answers()
    {
        await using var server = new RedisServer();
        await server.InitializeAsync();
        var stall = server.FreezeAsync(TimeSpan.FromSeconds(8));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:redis"] = server.ConnectionString;

        var stopwatch = Stopwatch.StartNew();
        builder.AddRedisClient("redis");
        var waited = stopwatch.Elapsed;

        using var redis = (IConnectionMultiplexer)builder.Services.Single(service => service.ServiceType == typeof(IConnectionMultiplexer)).ImplementationInstance!;
        // Two seconds, and time for a machine busy with other tests to notice them pass.
        Assert.True(waited < TimeSpan.FromSeconds(4), $"the start waited {waited.TotalSeconds:0.0} s for a stalled Redis");
        Assert.False(redis.IsConnected);
        await stall;
        await Eventually.HoldsAsync(() => Task.FromResult(redis.IsConnected), TimeSpan.FromSeconds(15), "never connected once Redis answered");
        Assert.True(await redis.GetDatabase().StringSetAsync("answered", "yes"));
    }
}
