using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace ApiGateway.Tests;

/// <summary>
/// A Redis of its own with the queues an orchestrator works between, for tests that run orchestrators (and gateways) as
/// processes in <see cref="Services"/> and the python bots with a runner of their own (taking from <see cref="Bots"/>).
/// </summary>
public sealed class OrchestrationQueues : IAsyncDisposable
{
    private Queue? _invocations;
    private Queue? _bots;
    private ServiceSet? _services;

    public RedisServer Redis { get; } = new();

    /// <summary>The services the test starts, on this Redis.</summary>
    public ServiceSet Services => _services!;

    public Queue Invocations => _invocations!;

    public Queue Bots => _bots!;

    public async Task StartAsync()
    {
        await Redis.InitializeAsync();
        _invocations = new Queue(QueueNames.Invocations, Redis.Connection);
        _bots = new Queue(QueueNames.Bots(BotTypes.Python), Redis.Connection);
        _services = new ServiceSet(Redis);
    }

    /// <summary>
    /// An invocation of a python bot with its record (as the gateway accepts one in an ordering line), then its job;
    /// <paramref name="recorded"/> are fields an earlier run of it wrote in its record.
    /// </summary>
    public async Task AddInvocationAsync(string invocationId, int attempts = 3, params HashEntry[] recorded)
    {
        var invocation = new InvocationJobData
        {
            ClientId = "dev",
            BotType = BotTypes.Python,
            Bot = "data_analysis",
            Payload = new JsonObject(),
            WebhookUrl = "http://localhost:5000/webhook",
        };
        await Redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(invocationId), [.. InvocationRecord.Accepted(invocation, DateTimeOffset.UtcNow), .. recorded]);
        await Invocations.AddAsync("invoke", invocation, new JobOptions { JobId = invocationId, Attempts = attempts });
    }

    /// <summary>The invocation's status in its record.</summary>
    public async Task<string?> StatusOfAsync(string invocationId) =>
        await Redis.Connection.GetDatabase().HashGetAsync(InvocationRecord.Key(invocationId), InvocationRecord.Status);

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        foreach (var queue in (Queue?[])[_invocations, _bots])
        {
            if (queue is not null)
            {
                await queue.DisposeAsync();
            }
        }
        await Redis.DisposeAsync();
    }
}
