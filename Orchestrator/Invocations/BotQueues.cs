using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>
/// The queues the orchestrator uses besides the one it consumes: one per bot type and the webhook deliveries, which it
/// hands work to, and the invocations, whose jobs it looks up.
/// </summary>
public sealed class BotQueues(IConnectionMultiplexer redis)
{
    private readonly Dictionary<string, Queue> _byType = BotTypes.All.ToDictionary(type => type, type => new Queue(QueueNames.Bots(type), redis));

    public Queue Webhooks { get; } = new(QueueNames.Webhooks, redis);

    public Queue Invocations { get; } = new(QueueNames.Invocations, redis);

    public Queue For(string botType) => _byType[botType];
}
