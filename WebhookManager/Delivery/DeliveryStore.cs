using System.Globalization;
using System.Text.Json;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// Every delivery's state and attempt history in Redis, the dead letter index, and the webhook fields of
/// the invocation record the gateway shows. Each change is one transaction, so a crash leaves no half state.
/// </summary>
public sealed class DeliveryStore(IConnectionMultiplexer redis, IOptions<WebhookOptions> options, TimeProvider time)
{
    private const string KeyPrefix = "botsystem:webhooks:delivery:";
    private const string DeadKey = "botsystem:webhooks:dead";

    private const string InvocationIdField = "invocationId";
    private const string ClientIdField = "clientId";
    private const string UrlField = "url";
    private const string EndpointField = "endpoint";
    private const string EventTypeField = "eventType";
    private const string BodyField = "body";
    private const string StatusField = "status";
    private const string AttemptsField = "attempts";
    private const string RoundField = "round";
    private const string RoundStartField = "roundStartAttempts";
    private const string CreatedAtField = "createdAt";
    private const string LastStatusCodeField = "lastStatusCode";
    private const string LastErrorField = "lastError";
    private const string NextAttemptAtField = "nextAttemptAt";
    private const string DeadAtField = "deadAt";
    private const string DeadReasonField = "deadReason";

    private static readonly CachedLuaScript WriteStatusScript = new(CachedLuaScript.ReadEmbedded(typeof(DeliveryStore).Assembly, "writeDeliveryStatus-4.lua"));
    private static readonly long RetentionSeconds = (long)InvocationRecord.Retention.TotalSeconds;
    private static readonly (string Json, int Number) NoAttempt = ("", 0);

    private IDatabase Db => redis.GetDatabase();

    private static RedisKey Key(string id) => KeyPrefix + id;

    private static RedisKey AttemptsKey(string id) => KeyPrefix + id + ":attempts";

    /// <summary>
    /// The record of a delivery about to be attempted. A delivery seen for the first time gets a record built from its
    /// job, stored with its first change of status, so a new delivery costs one read before its request and one write after it.
    /// It was created when its job was queued (<paramref name="queuedAt"/>), as it is shown before that first change.
    /// </summary>
    public async Task<DeliveryRecord> OpenAsync(WebhookDeliveryJobData data, string endpoint, DateTimeOffset queuedAt) =>
        await GetAsync(data.MessageId) ?? DeliveryRecord.Pending(data, endpoint, queuedAt);

    public async Task<DeliveryRecord?> GetAsync(string id)
    {
        try
        {
            return Parse(id, await Db.HashGetAllAsync(Key(id)));
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // The id names another record of a delivery (its attempt history), whose key extends the delivery's.
            return null;
        }
    }

    /// <summary>The endpoint of a stored delivery, or null.</summary>
    public async Task<string?> GetEndpointAsync(string id) => await Db.HashGetAsync(Key(id), EndpointField);

    private static DeliveryRecord? Parse(string id, HashEntry[] entries) =>
        Parse(id, entries.ToDictionary(entry => entry.Name.ToString(), entry => entry.Value));

    private static DeliveryRecord? Parse(string id, Dictionary<string, RedisValue> fields)
    {
        if (fields.Count == 0)
        {
            return null;
        }
        string Text(string name) => fields.TryGetValue(name, out var value) ? value.ToString() : "";
        int? Number(string name) => fields.TryGetValue(name, out var value) && value.TryParse(out long n) ? (int)n : null;
        DateTimeOffset? Time(string name) => fields.TryGetValue(name, out var value) && value.TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return new DeliveryRecord
        {
            Id = id,
            InvocationId = Text(InvocationIdField),
            ClientId = Text(ClientIdField),
            Url = Text(UrlField),
            Endpoint = Text(EndpointField),
            EventType = Text(EventTypeField),
            Body = Text(BodyField),
            Status = Text(StatusField),
            Attempts = Number(AttemptsField) ?? 0,
            Round = Number(RoundField) ?? 1,
            RoundStartAttempts = Number(RoundStartField) ?? 0,
            CreatedAt = Time(CreatedAtField) ?? DateTimeOffset.UnixEpoch,
            LastStatusCode = Number(LastStatusCodeField),
            LastError = fields.ContainsKey(LastErrorField) ? Text(LastErrorField) : null,
            NextAttemptAt = Time(NextAttemptAtField),
            DeadAt = Time(DeadAtField),
            DeadReason = fields.ContainsKey(DeadReasonField) ? Text(DeadReasonField) : null,
        };
    }

    public async Task<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string id)
    {
        var entries = await Db.ListRangeAsync(AttemptsKey(id));
        return [.. entries.Select(entry => JsonSerializer.Deserialize<AttemptRecord>(entry.ToString())!)];
    }

    /// <summary>
    /// Appends an attempt and moves the delivery to <paramref name="status"/>, in one step; false when the attempt was
    /// recorded already (a repeat after the answer to the first write was lost).
    /// </summary>
    public Task<bool> RecordAttemptAsync(DeliveryRecord delivery, AttemptRecord attempt, string status, DateTimeOffset? nextAttemptAt, string? deadReason)
    {
        var statusCode = attempt.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "";
        List<RedisValue> fields =
        [
            AttemptsField, attempt.Attempt,
            StatusField, status,
            LastStatusCodeField, statusCode,
            LastErrorField, attempt.Error ?? "",
        ];
        List<RedisValue> invocation =
        [
            InvocationRecord.WebhookStatus, status,
            InvocationRecord.WebhookAttempts, attempt.Attempt,
            InvocationRecord.WebhookLastStatusCode, statusCode,
        ];
        return WriteStatusAsync(delivery, status, (JsonSerializer.Serialize(attempt), attempt.Attempt), nextAttemptAt, deadReason, fields, invocation);
    }

    /// <summary>Sends a delivery to the dead letter queue without an attempt (its endpoint is disabled, its URL unusable).</summary>
    public Task MarkDeadAsync(DeliveryRecord delivery, string reason) =>
        WriteStatusAsync(delivery, DeliveryStatus.Dead, NoAttempt, null, reason,
            [StatusField, DeliveryStatus.Dead, LastErrorField, reason],
            [InvocationRecord.WebhookStatus, DeliveryStatus.Dead]);

    /// <summary>Notes when a postponed delivery will be tried; a postponement is no attempt.</summary>
    public Task MarkPostponedAsync(DeliveryRecord delivery, DateTimeOffset nextAttemptAt) =>
        WriteStatusAsync(delivery, delivery.Status, NoAttempt, nextAttemptAt, null, [], []);

    /// <summary>
    /// Takes a dead delivery into a new round; null when it is no longer dead as read. It stays in the dead letter index
    /// until its attempt is queued (<see cref="ForgetDeadAsync"/>), so a redrive cut short between the two is found by the next.
    /// </summary>
    public async Task<DeliveryRecord?> ReviveAsync(DeliveryRecord delivery)
    {
        var id = delivery.Id;
        var revived = await ConditionalWrite.ExecuteAsync(Db,
            () => [Condition.HashEqual(Key(id), StatusField, DeliveryStatus.Dead), Condition.HashEqual(Key(id), RoundField, delivery.Round)],
            reviving =>
            {
                _ = reviving.HashSetAsync(Key(id),
                [
                    new(StatusField, DeliveryStatus.Pending),
                    new(RoundField, delivery.Round + 1),
                    new(RoundStartField, delivery.Attempts),
                ]);
                _ = reviving.HashDeleteAsync(Key(id), [DeadAtField, DeadReasonField, NextAttemptAtField]);
                // Kept as long as the new round lasts, however near the dead letter was to its expiry.
                _ = reviving.KeyPersistAsync(Key(id));
                _ = reviving.KeyPersistAsync(AttemptsKey(id));
                _ = WriteInvocationAsync(reviving, delivery.InvocationId, [new(InvocationRecord.WebhookStatus, DeliveryStatus.Pending)]);
            });
        return revived
            ? delivery with { Status = DeliveryStatus.Pending, Round = delivery.Round + 1, RoundStartAttempts = delivery.Attempts, DeadAt = null, DeadReason = null }
            : null;
    }

    /// <summary>
    /// Takes a redriven delivery, whose attempt is queued, out of the dead letter index, unless that attempt has made it
    /// dead again already: then it is indexed with its new death.
    /// </summary>
    public Task ForgetDeadAsync(string id) =>
        ConditionalWrite.ExecuteAsync(Db, () => [Condition.HashNotEqual(Key(id), StatusField, DeliveryStatus.Dead)],
            forgetting => _ = forgetting.SortedSetRemoveAsync(DeadKey, id));

    /// <summary>Dead delivery ids, oldest first, that died within the range (and redriven ones whose attempt is not queued yet).</summary>
    public async Task<IReadOnlyList<string>> GetDeadIdsAsync(DateTimeOffset? from, DateTimeOffset? to, long skip = 0, long take = -1)
    {
        await ForgetExpiredDeadAsync();
        var ids = await Db.SortedSetRangeByScoreAsync(DeadKey,
            from?.ToUnixTimeMilliseconds() ?? double.NegativeInfinity,
            to?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity,
            skip: skip, take: take);
        return [.. ids.Select(id => id.ToString())];
    }

    public async Task<long> CountDeadAsync()
    {
        await ForgetExpiredDeadAsync();
        return await Db.SortedSetLengthAsync(DeadKey);
    }

    // A dead delivery's records expire after the retention; its place in the index goes with the next read of it.
    private Task ForgetExpiredDeadAsync() =>
        Db.SortedSetRemoveRangeByScoreAsync(DeadKey, double.NegativeInfinity, (time.GetUtcNow() - options.Value.DeadLetterRetention).ToUnixTimeMilliseconds(),
            Exclude.Stop);

    // A repeat of an attempt's write (its answer lost to an outage) is told apart by the attempt's number and changes nothing.
    private async Task<bool> WriteStatusAsync(DeliveryRecord delivery, string status, (string Json, int Number) attempt, DateTimeOffset? nextAttemptAt,
        string? deadReason, List<RedisValue> fields, List<RedisValue> invocation)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (nextAttemptAt is { } next)
        {
            fields.AddRange([NextAttemptAtField, next.ToUnixTimeMilliseconds()]);
            invocation.AddRange([InvocationRecord.WebhookNextAttemptAt, next.ToUnixTimeMilliseconds()]);
        }
        else
        {
            invocation.AddRange([InvocationRecord.WebhookNextAttemptAt, ""]);
        }
        if (status == DeliveryStatus.Dead)
        {
            fields.AddRange([DeadAtField, now, DeadReasonField, deadReason ?? ""]);
        }
        if (!delivery.IsStored)
        {
            // Written first, so the change's own fields win.
            fields.InsertRange(0,
            [
                InvocationIdField, delivery.InvocationId,
                ClientIdField, delivery.ClientId,
                UrlField, delivery.Url,
                EndpointField, delivery.Endpoint,
                EventTypeField, delivery.EventType,
                BodyField, delivery.Body,
                StatusField, delivery.Status,
                AttemptsField, delivery.Attempts,
                RoundField, delivery.Round,
                RoundStartField, delivery.RoundStartAttempts,
                CreatedAtField, delivery.CreatedAt.ToUnixTimeMilliseconds(),
            ]);
        }
        RedisValue[] arguments =
        [
            delivery.Id,
            status,
            attempt.Json,
            attempt.Number,
            RetentionSeconds,
            (long)options.Value.DeadLetterRetention.TotalSeconds,
            now,
            nextAttemptAt is null && delivery.NextAttemptAt is not null ? 1 : 0,
            fields.Count / 2,
            .. fields,
            .. invocation,
        ];
        var outcome = await WriteStatusScript.EvaluateAsync(Db, [Key(delivery.Id), AttemptsKey(delivery.Id), InvocationRecord.Key(delivery.InvocationId), DeadKey], arguments);
        return (long)outcome == 0;
    }

    private static Task WriteInvocationAsync(ITransaction transaction, string invocationId, HashEntry[] entries)
    {
        var key = InvocationRecord.Key(invocationId);
        _ = transaction.HashSetAsync(key, entries);
        return transaction.KeyExpireAsync(key, InvocationRecord.Retention, ExpireWhen.HasNoExpiry);
    }
}
