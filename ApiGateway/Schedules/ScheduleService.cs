using System.Security.Cryptography;
using System.Text.Json;
using BotSystem.ApiGateway.Apis;
using BotSystem.ApiGateway.Invocations;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Schedules;

/// <summary>
/// Schedules of invocations. The job engine's scheduler on the <c>invocations</c> queue fires the runs (each slot
/// once, whichever gateway or orchestrator is alive); this keeps who owns a schedule and what it runs.
/// </summary>
public sealed class ScheduleService(IConnectionMultiplexer redis)
{
    public const string RunJobName = "scheduled-invocation";

    // A schedule's record is written before its scheduler. A creation cut short between the two (Redis went away) was
    // answered with an error, so a record still without a scheduler this long after it was made is dropped, not shown.
    private static readonly TimeSpan CreationGrace = TimeSpan.FromMinutes(1);

    private readonly Queue _invocations = new(QueueNames.Invocations, redis);

    public enum Creation { Created, Repeated, Conflict, Deleted }

    /// <summary>The schedule a completed request that made <paramref name="claim"/> with the same body created, if it is there.</summary>
    public async Task<ScheduleView?> CreatedRepeatOfAsync(string clientId, RequestClaim claim, byte[] body) =>
        IdempotencyClaim.IdFor(await redis.GetDatabase().StringGetAsync(claim.Key), body) is { } scheduleId
        && await _invocations.GetJobSchedulerAsync(scheduleId) is not null
            ? await GetAsync(clientId, scheduleId)
            : null;

    /// <summary>
    /// Creates a schedule, or with a <paramref name="claim"/> held by an earlier request, answers with that request's
    /// schedule: <see cref="Creation.Repeated"/>, <see cref="Creation.Conflict"/> when its body was another, or
    /// <see cref="Creation.Deleted"/> when its schedule is gone.
    /// </summary>
    /// <exception cref="JobDataTooLargeException">The job data of its runs is more than the engine takes; nothing was written.</exception>
    public async Task<(Creation Outcome, ScheduleView? Schedule)> CreateAsync(string clientId, ScheduleRequest request, RequestClaim? claim, byte[] body)
    {
        var scheduleId = "sch_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        // Before the claim and the record are written, which a scheduler the engine refused would leave behind.
        _invocations.CheckJobData(request.Invocation.ToJobData(clientId, scheduleId));
        var database = redis.GetDatabase();
        var created = database.CreateTransaction();
        if (claim is not null)
        {
            // Claimed with the record it names, so a claim whose record is missing tells of a schedule deleted since.
            created.AddCondition(Condition.KeyNotExists(claim.Key));
            _ = created.StringSetAsync(claim.Key, IdempotencyClaim.Value(body, scheduleId), claim.Window);
        }
        _ = created.HashSetAsync(ScheduleRecord.Key(scheduleId), [
            new(ScheduleRecord.ClientId, clientId),
            new(ScheduleRecord.Definition, JsonSerializer.Serialize(request.ToDefinition(), JsonSerializerOptions.Web)),
            new(ScheduleRecord.CreatedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            .. claim is null ? Array.Empty<HashEntry>() : [new(ScheduleRecord.IdempotencyClaim, claim.Key)],
        ]);
        _ = created.SetAddAsync(ScheduleRecord.Index, scheduleId);
        var outcome = Creation.Created;
        if (!await created.ExecuteAsync())
        {
            if (IdempotencyClaim.IdFor(await database.StringGetAsync(claim!.Key), body) is not { } claimedId)
            {
                return (Creation.Conflict, null);
            }
            if (!await database.KeyExistsAsync(ScheduleRecord.Key(claimedId)))
            {
                return (Creation.Deleted, null);
            }
            (scheduleId, outcome) = (claimedId, Creation.Repeated);
        }
        // A repeat adds the scheduler only when the first request was cut short before it: adding it again would move
        // the runs of a schedule that has one.
        if (outcome == Creation.Created || await _invocations.GetJobSchedulerAsync(scheduleId) is null)
        {
            await _invocations.UpsertJobSchedulerAsync(scheduleId, request.Repeat, RunJobName,
                request.Invocation.ToJobData(clientId, scheduleId), InvocationService.JobOptionsFor(request.Invocation.Priority));
        }
        if (await GetAsync(clientId, scheduleId) is not { } schedule)
        {
            // Deleted meanwhile, maybe before the scheduler above was written, which would run on without it.
            await _invocations.RemoveJobSchedulerAsync(scheduleId);
            return (Creation.Deleted, null);
        }
        return (outcome, schedule);
    }

    /// <summary>The schedules of one client, or of every client when <paramref name="clientId"/> is null (the admin).</summary>
    public async Task<IReadOnlyList<ScheduleView>> ListAsync(string? clientId, CancellationToken ct = default)
    {
        var database = redis.GetDatabase();
        var ids = (await database.SetMembersAsync(ScheduleRecord.Index)).Select(id => (string)id!).Order(StringComparer.Ordinal).ToList();
        var timings = (await _invocations.GetJobSchedulersAsync(ct)).ToDictionary(scheduler => scheduler.Id);
        // Every record in one round trip rather than one each.
        var batch = database.CreateBatch();
        var records = ids.ConvertAll(id => batch.HashGetAllAsync(ScheduleRecord.Key(id)));
        batch.Execute();
        var schedules = new List<ScheduleView>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (await ViewOfAsync(clientId, ids[i], await records[i].WaitAsync(ct), timings.GetValueOrDefault(ids[i])) is { } schedule)
            {
                schedules.Add(schedule);
            }
        }
        return schedules;
    }

    /// <summary>The schedule, or null when it does not exist or belongs to another client.</summary>
    public async Task<ScheduleView?> GetAsync(string? clientId, string scheduleId, CancellationToken ct = default)
    {
        var record = redis.GetDatabase().HashGetAllAsync(ScheduleRecord.Key(scheduleId));
        var timing = _invocations.GetJobSchedulerAsync(scheduleId, ct);
        return await ViewOfAsync(clientId, scheduleId, await record.WaitAsync(ct), await timing);
    }

    /// <summary>Stops the schedule; false when it does not exist or belongs to another client.</summary>
    public async Task<bool> DeleteAsync(string? clientId, string scheduleId)
    {
        var database = redis.GetDatabase();
        var owner = (string?)await database.HashGetAsync(ScheduleRecord.Key(scheduleId), ScheduleRecord.ClientId);
        if (owner is null || (clientId is not null && owner != clientId))
        {
            return false;
        }
        // The record goes first: a repeat of the schedule's creation writing its scheduler meanwhile then finds it gone
        // and removes that scheduler itself.
        await ForgetAsync(scheduleId, claimKey: null);
        await _invocations.RemoveJobSchedulerAsync(scheduleId);
        return true;
    }

    // A deleted schedule keeps its claim, so a repeat of its creation is told it was deleted rather than made again.
    private async Task ForgetAsync(string scheduleId, string? claimKey)
    {
        var forgotten = redis.GetDatabase().CreateTransaction();
        _ = forgotten.KeyDeleteAsync(ScheduleRecord.Key(scheduleId));
        _ = forgotten.SetRemoveAsync(ScheduleRecord.Index, scheduleId);
        if (claimKey is not null)
        {
            _ = forgotten.KeyDeleteAsync(claimKey);
        }
        await forgotten.ExecuteAsync();
    }

    // A cron schedule's next run is told in its own time zone: 03:00-05:00 for "0 3 * * *" in New York, not 08:00Z.
    private static DateTimeOffset InZoneOf(ScheduleDefinition schedule, DateTimeOffset time) =>
        schedule.TimeZone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var timeZone)
            ? TimeZoneInfo.ConvertTime(time, timeZone)
            : time;

    // The view of a schedule's record and scheduler, or null when another client owns it or it is no more; a record
    // whose creation was cut short is dropped here.
    private async Task<ScheduleView?> ViewOfAsync(string? clientId, string scheduleId, HashEntry[] record, JobScheduler? timing)
    {
        var fields = record.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        if (!fields.TryGetValue(ScheduleRecord.ClientId, out var owner) || (clientId is not null && owner != clientId))
        {
            return null;
        }
        var createdAt = fields.GetValueOrDefault(ScheduleRecord.CreatedAt);
        if (timing is null
            && long.TryParse(createdAt, out var createdMs) && DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(createdMs) > CreationGrace)
        {
            await ForgetAsync(scheduleId, fields.GetValueOrDefault(ScheduleRecord.IdempotencyClaim));
            return null;
        }
        var definition = JsonSerializer.Deserialize<ScheduleDefinition>(fields[ScheduleRecord.Definition], JsonSerializerOptions.Web)!;
        return new ScheduleView(definition)
        {
            ScheduleId = scheduleId,
            ClientId = owner,
            CreatedAt = RecordTime.Parse(createdAt),
            NextRunAt = timing?.Next is { } next ? InZoneOf(definition, next) : null,
            // The engine counts the run it has lined up next among its iterations; a client counts the runs that started.
            Runs = timing is null ? 0 : timing.Iterations - (timing.Next is null ? 0 : 1),
            LastInvocationId = fields.GetValueOrDefault(ScheduleRecord.LastInvocationId),
            LastRunAt = RecordTime.Parse(fields.GetValueOrDefault(ScheduleRecord.LastRunAt)),
        };
    }
}
