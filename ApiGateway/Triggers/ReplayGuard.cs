using System.Security.Cryptography;
using System.Text;
using BotSystem.Contracts;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Triggers;

/// <summary>Remembers the <c>webhook-id</c>s a trigger received for as long as their timestamps could still pass.</summary>
public sealed class ReplayGuard(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Memory = StandardWebhooks.DefaultTolerance * 2;

    /// <summary>True the first time this message id reaches this trigger.</summary>
    public Task<bool> FirstSightAsync(string triggerId, string messageId) =>
        redis.GetDatabase().StringSetAsync(
            $"botsystem:trigger-seen:{triggerId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)))}",
            "1", Memory, When.NotExists);
}
