using System.Globalization;
using System.Text.Json;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// Every delivery's state and attempt history in Redis, the dead letter index, and the webhook fields of
/// the invocation record the gateway shows. Each change is one transaction, so a crash leaves no half state.
/// </summary>
public sealed class DeliveryStore(IConnectionMultiplexer redis, TimeProvider time)
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

    private static readonly CachedLuaScript RegisterScript = new(CachedLuaScript.ReadEmbedded(typeof(DeliveryStore).Assembly, "registerDelivery-2.lua"));

    private IDatabase Db => redis.GetDatabase();

    private static RedisKey Key(string id) => KeyPrefix + id;

    private static RedisKey AttemptsKey(string id) => KeyPrefix + id + ":attempts";

    /// <summary>Creates the record of a new delivery; an existing one (a repeated add) is left as it is. Returns the record.</summary>
    public async Task<DeliveryRecord> RegisterAsync(WebhookDeliveryJobData data, string endpoint)
    {
        HashEntry[] delivery =
        [
            new(InvocationIdField, data.InvocationId),
            new(ClientIdField, data.ClientId),
            new(UrlField, data.Url),
            new(EndpointField, endpoint),
            new(EventTypeField, data.EventType),
            new(BodyField, data.Body),
            new(StatusField, DeliveryStatus.Pending),
            new(AttemptsField, 0),
            new(RoundField, 1),
            new(RoundStartField, 0),
            new(CreatedAtField, time.GetUtcNow().ToUnixTimeMilliseconds()),
        ];
        HashEntry[] invocation = [new(InvocationRecord.WebhookStatus, DeliveryStatus.Pending), new(InvocationRecord.WebhookAttempts, 0)];
        RedisValue[] arguments =
        [
            (long)InvocationRecord.Retention.TotalSeconds,
            delivery.Length,
            .. delivery.SelectMany(entry => (RedisValue[])[entry.Name, entry.Value]),
            .. invocation.SelectMany(entry => (RedisValue[])[entry.Name, entry.Value]),
        ];
        var flat = (RedisValue[]?)await RegisterScript.EvaluateAsync(Db, [Key(data.MessageId), InvocationRecord.Key(data.InvocationId)], arguments) ?? [];
        return Parse(data.MessageId, [.. Enumerable.Range(0, flat.Length / 2).Select(i => new HashEntry(flat[2 * i], flat[2 * i + 1]))])
            ?? throw new InvalidOperationException($"Delivery {data.MessageId} vanished after it was registered.");
    }

    public async Task<DeliveryRecord?> GetAsync(string id) => Parse(id, await Db.HashGetAllAsync(Key(id)));

    private static DeliveryRecord? Parse(string id, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }
        var fields = entries.ToDictionary(entry => entry.Name.ToString(), entry => entry.Value);
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

    /// <summary>Appends an attempt and moves the delivery to <paramref name="status"/>, in one transaction.</summary>
    public async Task RecordAttemptAsync(DeliveryRecord delivery, AttemptRecord attempt, string status, DateTimeOffset? nextAttemptAt, string? deadReason)
    {
        var transaction = Db.CreateTransaction();
        _ = transaction.ListRightPushAsync(AttemptsKey(delivery.Id), JsonSerializer.Serialize(attempt));
        List<HashEntry> fields =
        [
            new(AttemptsField, attempt.Attempt),
            new(StatusField, status),
            new(LastStatusCodeField, attempt.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? ""),
            new(LastErrorField, attempt.Error ?? ""),
        ];
        List<HashEntry> invocation =
        [
            new(InvocationRecord.WebhookStatus, status),
            new(InvocationRecord.WebhookAttempts, attempt.Attempt),
            new(InvocationRecord.WebhookLastStatusCode, attempt.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? ""),
        ];
        WriteStatus(transaction, delivery, status, nextAttemptAt, deadReason, fields, invocation);
        await transaction.ExecuteAsync();
    }

    /// <summary>Sends a delivery to the dead letter queue without an attempt (its endpoint is disabled, its URL unusable).</summary>
    public async Task MarkDeadAsync(DeliveryRecord delivery, string reason)
    {
        var transaction = Db.CreateTransaction();
        List<HashEntry> fields = [new(StatusField, DeliveryStatus.Dead), new(LastErrorField, reason)];
        List<HashEntry> invocation = [new(InvocationRecord.WebhookStatus, DeliveryStatus.Dead)];
        WriteStatus(transaction, delivery, DeliveryStatus.Dead, null, reason, fields, invocation);
        await transaction.ExecuteAsync();
    }

    /// <summary>Notes when a postponed delivery will be tried; a postponement is no attempt.</summary>
    public async Task MarkPostponedAsync(DeliveryRecord delivery, DateTimeOffset nextAttemptAt)
    {
        var ms = nextAttemptAt.ToUnixTimeMilliseconds();
        var transaction = Db.CreateTransaction();
        _ = transaction.HashSetAsync(Key(delivery.Id), NextAttemptAtField, ms);
        _ = WriteInvocationAsync(transaction, delivery.InvocationId, [new(InvocationRecord.WebhookNextAttemptAt, FormatTime(nextAttemptAt))]);
        await transaction.ExecuteAsync();
    }

    /// <summary>Takes a dead delivery out of the dead letter queue into a new round; null when it is not dead.</summary>
    public async Task<DeliveryRecord?> ReviveAsync(string id)
    {
        var delivery = await GetAsync(id);
        if (delivery is not { Status: DeliveryStatus.Dead })
        {
            return null;
        }
        var transaction = Db.CreateTransaction();
        transaction.AddCondition(Condition.HashEqual(Key(id), StatusField, DeliveryStatus.Dead));
        transaction.AddCondition(Condition.HashEqual(Key(id), RoundField, delivery.Round));
        _ = transaction.HashSetAsync(Key(id),
        [
            new(StatusField, DeliveryStatus.Pending),
            new(RoundField, delivery.Round + 1),
            new(RoundStartField, delivery.Attempts),
        ]);
        _ = transaction.HashDeleteAsync(Key(id), [DeadAtField, DeadReasonField, NextAttemptAtField]);
        _ = transaction.SortedSetRemoveAsync(DeadKey, id);
        _ = WriteInvocationAsync(transaction, delivery.InvocationId, [new(InvocationRecord.WebhookStatus, DeliveryStatus.Pending)]);
        return await transaction.ExecuteAsync()
            ? delivery with { Status = DeliveryStatus.Pending, Round = delivery.Round + 1, RoundStartAttempts = delivery.Attempts, DeadAt = null, DeadReason = null }
            : null;
    }

    /// <summary>Dead delivery ids, oldest first, that died within the range.</summary>
    public async Task<IReadOnlyList<string>> GetDeadIdsAsync(DateTimeOffset? from, DateTimeOffset? to, long skip = 0, long take = -1)
    {
        var ids = await Db.SortedSetRangeByScoreAsync(DeadKey,
            from?.ToUnixTimeMilliseconds() ?? double.NegativeInfinity,
            to?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity,
            skip: skip, take: take);
        return [.. ids.Select(id => id.ToString())];
    }

    public Task<long> CountDeadAsync() => Db.SortedSetLengthAsync(DeadKey);

    private void WriteStatus(ITransaction transaction, DeliveryRecord delivery, string status, DateTimeOffset? nextAttemptAt, string? deadReason,
        List<HashEntry> fields, List<HashEntry> invocation)
    {
        var key = Key(delivery.Id);
        if (nextAttemptAt is { } next)
        {
            fields.Add(new(NextAttemptAtField, next.ToUnixTimeMilliseconds()));
            invocation.Add(new(InvocationRecord.WebhookNextAttemptAt, FormatTime(next)));
        }
        else
        {
            if (delivery.NextAttemptAt is not null)
            {
                _ = transaction.HashDeleteAsync(key, NextAttemptAtField);
            }
            invocation.Add(new(InvocationRecord.WebhookNextAttemptAt, ""));
        }
        if (status == DeliveryStatus.Dead)
        {
            var now = time.GetUtcNow();
            fields.Add(new(DeadAtField, now.ToUnixTimeMilliseconds()));
            fields.Add(new(DeadReasonField, deadReason ?? ""));
            _ = transaction.SortedSetAddAsync(DeadKey, delivery.Id, now.ToUnixTimeMilliseconds());
            // Dead deliveries stay until they are redriven or removed by an operator.
            _ = transaction.KeyPersistAsync(key);
            _ = transaction.KeyPersistAsync(AttemptsKey(delivery.Id));
        }
        else if (status == DeliveryStatus.Delivered)
        {
            _ = transaction.KeyExpireAsync(key, InvocationRecord.Retention);
            _ = transaction.KeyExpireAsync(AttemptsKey(delivery.Id), InvocationRecord.Retention);
        }
        _ = transaction.HashSetAsync(key, [.. fields]);
        _ = WriteInvocationAsync(transaction, delivery.InvocationId, [.. invocation]);
    }

    private static Task WriteInvocationAsync(ITransaction transaction, string invocationId, HashEntry[] entries)
    {
        var key = InvocationRecord.Key(invocationId);
        _ = transaction.HashSetAsync(key, entries);
        return transaction.KeyExpireAsync(key, InvocationRecord.Retention, ExpireWhen.HasNoExpiry);
    }

    private static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);
}
