using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>Endpoints a client's receiver declared gone (410): disabled for that client until an operator enables them.</summary>
public sealed class DisabledEndpoints(IConnectionMultiplexer redis, TimeProvider time)
{
    private const string KeyPrefix = "botsystem:webhooks:disabled:";
    private const string IndexKey = "botsystem:webhooks:disabled";

    private static readonly CachedLuaScript EnableScript = new(CachedLuaScript.ReadEmbedded(typeof(DisabledEndpoints).Assembly, "enableEndpoint-2.lua"));

    private IDatabase Db => redis.GetDatabase();

    /// <summary>The hash of the clients <paramref name="endpoint"/> is disabled for, client id -> since (ms).</summary>
    private static RedisKey Key(string endpoint) => KeyPrefix + endpoint;

    public async Task DisableAsync(string endpoint, string clientId)
    {
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(Key(endpoint), clientId, time.GetUtcNow().ToUnixTimeMilliseconds());
        _ = transaction.SetAddAsync(IndexKey, endpoint);
        await transaction.ExecuteAsync();
    }

    public Task<bool> IsDisabledAsync(string endpoint, string clientId) => Db.HashExistsAsync(Key(endpoint), clientId);

    /// <summary>Enables the endpoint for one client, or for all when <paramref name="clientId"/> is null; returns how many were enabled.</summary>
    public async Task<long> EnableAsync(string endpoint, string? clientId) =>
        (long)await EnableScript.EvaluateAsync(Db, [Key(endpoint), IndexKey], clientId is null ? [endpoint] : [endpoint, clientId]);

    /// <summary>Every disabled endpoint with the clients it is disabled for and since when.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, DateTimeOffset>>> GetAllAsync()
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, DateTimeOffset>>();
        foreach (var endpoint in await Db.SetMembersAsync(IndexKey))
        {
            var clients = await Db.HashGetAllAsync(Key(endpoint.ToString()));
            if (clients.Length > 0)
            {
                result[endpoint.ToString()] = clients.ToDictionary(
                    entry => entry.Name.ToString(),
                    entry => DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Value));
            }
        }
        return result;
    }
}
