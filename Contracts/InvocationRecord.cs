using StackExchange.Redis;

namespace BotSystem.Contracts;

/// <summary>
/// The Redis hash <c>botsystem:invocation:{id}</c> that every service writes its part of an
/// invocation's state into and the gateway reads for <c>GET /job/{id}</c>. Field names in one place.
/// An invocation outside an ordering line has none while it is queued (its job says all there is to say, and accepting
/// it writes once); the orchestrator makes it when it takes the job, or the gateway when it cancels it first.
/// </summary>
public static class InvocationRecord
{
    public static string Key(string invocationId) => "botsystem:invocation:" + invocationId;

    /// <summary>How long a finished invocation's record is kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    // Written when the record is made.
    public const string ClientId = "clientId";
    public const string BotType = "botType";
    public const string Bot = "bot";
    public const string WebhookUrl = "webhookUrl";
    public const string CreatedAt = "createdAt";
    public const string Priority = "priority";
    public const string ScheduleId = "scheduleId";
    public const string OrderingLine = "orderingLine";

    /// <summary>A schedule's run only: the id of its <c>invocations</c> job, which is not its invocation id.</summary>
    public const string RunJobId = "runJobId";

    // Written by the orchestrator as the invocation moves.
    public const string Status = "status";
    public const string Progress = "progress";
    public const string Result = "result";
    public const string Error = "error";
    public const string Attempts = "attempts";
    public const string StartedAt = "startedAt";
    public const string FinishedAt = "finishedAt";
    public const string DurationMs = "durationMs";
    public const string LeaseToken = "leaseToken";
    public const string LeaseTimeMs = "leaseTimeMs";

    /// <summary>The fields naming the permit an invocation's bot holds, which go when it ends.</summary>
    public static readonly RedisValue[] LeaseFields = [LeaseToken, LeaseTimeMs];

    /// <summary>
    /// The fields naming the permit an invocation's bot holds: its lease token, for a run taken up again to take the permit
    /// over, and its lease time, for the runner to renew it alike however the runner is configured.
    /// </summary>
    public static HashEntry[] Lease(string token, TimeSpan leaseTime) =>
        [new(LeaseToken, token), new(LeaseTimeMs, (long)leaseTime.TotalMilliseconds)];

    // Written by the webhook manager.
    public const string WebhookStatus = "webhook.status";
    public const string WebhookAttempts = "webhook.attempts";
    public const string WebhookLastStatusCode = "webhook.lastStatusCode";
    public const string WebhookNextAttemptAt = "webhook.nextAttemptAt";

    /// <summary>The fields of an invocation ended <paramref name="status"/>, for <paramref name="reason"/>, at <paramref name="at"/>.</summary>
    public static HashEntry[] Ended(string status, string reason, DateTimeOffset at) =>
    [
        new(Status, status),
        new(Error, reason),
        new(FinishedAt, at.ToUnixTimeMilliseconds()),
    ];

    /// <summary>Whether the invocation was cancelled, as its record says.</summary>
    public static async Task<bool> IsCancelledAsync(IDatabaseAsync database, string invocationId) =>
        await database.HashGetAsync(Key(invocationId), Status) == InvocationStatus.Cancelled;

    /// <summary>
    /// Ends an invocation <paramref name="status"/> for <paramref name="reason"/>, now, unless its record is gone or it
    /// has ended (false): whatever ended it first stands.
    /// </summary>
    public static Task<bool> EndUnlessEndedAsync(IDatabase database, string invocationId, string status, string reason) =>
        WriteUnlessEndedAsync(database, Key(invocationId), (ending, key) =>
        {
            _ = ending.HashSetAsync(key, Ended(status, reason, DateTimeOffset.UtcNow));
            _ = ending.HashDeleteAsync(key, LeaseFields);
            _ = ending.KeyExpireAsync(key, Retention);
        });

    /// <summary>
    /// Writes how an invocation moves on (<paramref name="fields"/>, and <paramref name="firstTimeFields"/> where they are
    /// not set yet) unless its record is gone or it has ended (false), so a cancel is never written over.
    /// </summary>
    public static Task<bool> MoveUnlessEndedAsync(IDatabase database, string invocationId, HashEntry[] fields, params HashEntry[] firstTimeFields) =>
        WriteUnlessEndedAsync(database, Key(invocationId), (moving, key) =>
        {
            _ = moving.HashSetAsync(key, fields);
            foreach (var field in firstTimeFields)
            {
                _ = moving.HashSetAsync(key, field.Name, field.Value, When.NotExists);
            }
        });

    private static Task<bool> WriteUnlessEndedAsync(IDatabase database, RedisKey key, Action<ITransaction, RedisKey> write) =>
        ConditionalWrite.ExecuteAsync(database,
            () => [Condition.KeyExists(key), .. InvocationStatus.Final.Select(final => Condition.HashNotEqual(key, Status, final))],
            transaction => write(transaction, key));

    /// <summary>
    /// Makes the record of an invocation seen for the first time, and puts it last in its ordering line when it has one,
    /// unless its record exists (false): whoever makes it first, the fields are the same. A schedule's run names its job.
    /// </summary>
    public static async Task<bool> CreateUnlessExistsAsync(IDatabase database, string invocationId, InvocationJobData invocation, DateTimeOffset createdAt,
        string? runJobId = null)
    {
        var key = Key(invocationId);
        var firstSight = database.CreateTransaction();
        firstSight.AddCondition(Condition.KeyNotExists(key));
        _ = firstSight.HashSetAsync(key, Accepted(invocation, createdAt));
        if (runJobId is not null)
        {
            _ = firstSight.HashSetAsync(key, RunJobId, runJobId);
        }
        _ = firstSight.KeyExpireAsync(key, Retention);
        if (Contracts.OrderingLine.Key(invocation.ClientId, invocation.OrderingKey) is { } line)
        {
            _ = firstSight.ListRightPushAsync(line, invocationId);
            _ = firstSight.KeyExpireAsync(line, Retention);
        }
        return await firstSight.ExecuteAsync();
    }

    /// <summary>The fields an invocation starts with.</summary>
    public static HashEntry[] Accepted(InvocationJobData invocation, DateTimeOffset createdAt)
    {
        List<HashEntry> fields = [
            new(ClientId, invocation.ClientId),
            new(BotType, invocation.BotType),
            new(Bot, invocation.Bot),
            new(WebhookUrl, invocation.WebhookUrl),
            new(Priority, invocation.Priority),
            new(Status, InvocationStatus.Queued),
            new(CreatedAt, createdAt.ToUnixTimeMilliseconds()),
        ];
        if (invocation.ScheduleId is not null)
        {
            fields.Add(new(ScheduleId, invocation.ScheduleId));
        }
        if (Contracts.OrderingLine.Key(invocation.ClientId, invocation.OrderingKey) is { } line)
        {
            fields.Add(new(OrderingLine, line));
        }
        return [.. fields];
    }
}
