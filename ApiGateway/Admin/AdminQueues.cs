using System.Diagnostics.CodeAnalysis;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Admin;

/// <summary>The platform's queues, by name; the dashboard manages only these.</summary>
public sealed class AdminQueues(IConnectionMultiplexer redis)
{
    private readonly Dictionary<string, Queue> _queues = QueueNames.All.ToDictionary(name => name, name => new Queue(name, redis));

    public IEnumerable<Queue> All => _queues.Values;

    public bool TryGet(string name, [NotNullWhen(true)] out Queue? queue) => _queues.TryGetValue(name, out queue);
}
