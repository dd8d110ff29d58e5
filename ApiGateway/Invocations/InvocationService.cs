using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>Accepts, reads and cancels invocations; the orchestrator does the rest.</summary>
public sealed class InvocationService(IConnectionMultiplexer redis, IOptions<GatewayOptions> options)
{
    private readonly Queue _invocations = new(QueueNames.Invocations, redis);
    private readonly Dictionary<string, Queue> _botQueues = BotTypes.All.ToDictionary(type => type, type => new Queue(QueueNames.Bots(type), redis));

    public enum Submission { Accepted, Repeated, Conflict }

    public async Task<(Submission Outcome, string? JobId)> SubmitAsync(string clientId, InvokeRequest request, string? idempotencyKey, byte[] body)
    {
        var database = redis.GetDatabase();
        var jobId = "inv_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (idempotencyKey is not null)
        {
            var key = $"botsystem:idempotency:{clientId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))}";
            var claim = $"{Convert.ToHexStringLower(SHA256.HashData(body))}|{jobId}";
            if (!await database.StringSetAsync(key, claim, options.Value.IdempotencyWindow, When.NotExists))
            {
                var existing = ((string?)await database.StringGetAsync(key) ?? "").Split('|');
                return existing.Length == 2 && existing[0] == claim.Split('|')[0]
                    ? (Submission.Repeated, existing[1])
                    : (Submission.Conflict, null);
            }
        }

        var recordKey = InvocationRecord.Key(jobId);
        await database.HashSetAsync(recordKey, [
            new(InvocationRecord.ClientId, clientId),
            new(InvocationRecord.BotType, request.BotType),
            new(InvocationRecord.Bot, request.Bot),
            new(InvocationRecord.WebhookUrl, request.WebhookUrl),
            new(InvocationRecord.Priority, request.Priority),
            new(InvocationRecord.Status, InvocationStatus.Queued),
            new(InvocationRecord.CreatedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        ]);
        await database.KeyExpireAsync(recordKey, InvocationRecord.Retention);
        await _invocations.AddAsync("invoke", new InvocationJobData
        {
            ClientId = clientId,
            BotType = request.BotType,
            Bot = request.Bot,
            Payload = request.Payload,
            WebhookUrl = request.WebhookUrl,
            Priority = request.Priority,
            TimeoutSeconds = request.TimeoutSeconds,
            OrderingKey = request.OrderingKey,
        }, new JobOptions
        {
            JobId = jobId,
            Priority = request.Priority,
            Attempts = 3,
            Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromSeconds(1), Jitter: 0.2),
            RemoveOnComplete = KeepJobs.Last(10_000),
            RemoveOnFail = KeepJobs.Last(10_000),
        });
        return (Submission.Accepted, jobId);
    }

    /// <summary>The invocation as its client sees it, or null when it does not exist or belongs to another client.</summary>
    public async Task<JsonObject?> GetAsync(string clientId, string jobId)
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(InvocationRecord.Key(jobId))).ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        if (fields.GetValueOrDefault(InvocationRecord.ClientId) != clientId)
        {
            return null;
        }
        return new JsonObject
        {
            ["jobId"] = jobId,
            ["status"] = fields.GetValueOrDefault(InvocationRecord.Status),
            ["botType"] = fields.GetValueOrDefault(InvocationRecord.BotType),
            ["bot"] = fields.GetValueOrDefault(InvocationRecord.Bot),
            ["progress"] = Json(fields.GetValueOrDefault(InvocationRecord.Progress)) ?? 0,
            ["result"] = Json(fields.GetValueOrDefault(InvocationRecord.Result)),
            ["error"] = fields.GetValueOrDefault(InvocationRecord.Error),
            ["attempts"] = int.TryParse(fields.GetValueOrDefault(InvocationRecord.Attempts), out var attempts) ? attempts : 0,
            ["createdAt"] = Time(fields.GetValueOrDefault(InvocationRecord.CreatedAt)),
            ["startedAt"] = Time(fields.GetValueOrDefault(InvocationRecord.StartedAt)),
            ["finishedAt"] = Time(fields.GetValueOrDefault(InvocationRecord.FinishedAt)),
            ["webhook"] = new JsonObject
            {
                ["status"] = fields.GetValueOrDefault(InvocationRecord.WebhookStatus) ?? DeliveryStatus.Pending,
                ["attempts"] = int.TryParse(fields.GetValueOrDefault(InvocationRecord.WebhookAttempts), out var deliveries) ? deliveries : 0,
                ["lastStatusCode"] = int.TryParse(fields.GetValueOrDefault(InvocationRecord.WebhookLastStatusCode), out var code) ? code : null,
                ["nextAttemptAt"] = Time(fields.GetValueOrDefault(InvocationRecord.WebhookNextAttemptAt)),
            },
        };
    }

    public enum Cancellation { Cancelled, NotFound, AlreadyFinished }

    /// <summary>Removes a waiting invocation, or tells the runners to kill its running bot; either way it ends cancelled.</summary>
    public async Task<Cancellation> CancelAsync(string clientId, string jobId)
    {
        var database = redis.GetDatabase();
        var recordKey = InvocationRecord.Key(jobId);
        var fields = await database.HashGetAsync(recordKey, [InvocationRecord.ClientId, InvocationRecord.Status, InvocationRecord.BotType]);
        if (fields[0] != clientId)
        {
            return Cancellation.NotFound;
        }
        if (InvocationStatus.IsFinal(fields[1]!))
        {
            return Cancellation.AlreadyFinished;
        }
        await database.HashSetAsync(recordKey, [
            new(InvocationRecord.Status, InvocationStatus.Cancelled),
            new(InvocationRecord.Error, "cancelled"),
            new(InvocationRecord.FinishedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        ]);
        await _invocations.RemoveJobAsync(jobId);
        if (!_botQueues.TryGetValue(fields[2]!, out var botQueue) || !await botQueue.RemoveJobAsync(jobId))
        {
            await database.StringSetAsync(CancellationSignal.Key(jobId), "1", CancellationSignal.KeyLifetime);
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(CancellationSignal.Channel), jobId);
        }
        return Cancellation.Cancelled;
    }

    private static JsonNode? Json(string? text)
    {
        try
        {
            return text is null ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }

    private static string? Time(string? milliseconds) =>
        long.TryParse(milliseconds, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("O") : null;
}
