using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>
/// Takes one invocation through its life: wait for a permit of its bot type, hand it to the runners
/// as a bot job (whose id is the invocation's, so a retried orchestration re-attaches instead of
/// starting the bot twice), follow it into the invocation record, release the permit, and queue the
/// webhook delivery.
/// </summary>
public sealed class InvocationProcessor(
    IConnectionMultiplexer redis,
    Semaphores semaphores,
    PermitWaiters permitWaiters,
    PermitWaitCancellations permitWaitCancellations,
    BotQueues botQueues,
    IOptions<OrchestratorOptions> options,
    ILogger<InvocationProcessor> logger)
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private static readonly CachedLuaScript NoteScheduleRunScript = new(CachedLuaScript.ReadEmbedded(typeof(InvocationProcessor).Assembly, "noteScheduleRun-2.lua"));

    // What a run answers for an invocation that cannot go on yet: it goes back to the queue for a while.
    private const string Deferred = "deferred";

    // What noteScheduleRun-2.lua answers for a run whose schedule is gone.
    private const long ScheduleGone = -1;

    // Far longer than the moment between the gateway putting an invocation in its line and adding its job.
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    // What a run reads of its record before it takes a permit: whether it was cancelled or already ended, and its lease.
    private static readonly RedisValue[] RunStateFields =
    [
        InvocationRecord.Status, InvocationRecord.Result, InvocationRecord.Error, InvocationRecord.Attempts, InvocationRecord.DurationMs,
        InvocationRecord.LeaseToken,
    ];

    public async Task<object?> ProcessAsync(ActiveJob job, CancellationToken ct)
    {
        var invocationId = InvocationIds.Of(job.Job.Id);
        var invocation = job.ReadData<InvocationJobData>();
        await RecordFirstSightAsync(invocationId, job.Job.Id, invocation, job.Job.Timestamp);
        var line = OrderingLine.Key(invocation.ClientId, invocation.OrderingKey);
        string status;
        try
        {
            status = await RunAsync(invocationId, invocation, line, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && (job.Job.IsLastAttempt || ex is UnrecoverableException))
        {
            // Failing for good, this job would leave its client a record running (or queued) until it expires, and the
            // invocations after it in its ordering line waiting as long.
            await EndUnorchestratedAsync(invocationId, invocation, line, ex);
            throw;
        }
        if (status == Deferred)
        {
            await job.MoveToDelayedAsync(options.Value.DeferDelay, ct);
            return null;
        }
        if (line is not null)
        {
            await redis.GetDatabase().ListRemoveAsync(line, invocationId);
            await WakeNextInLineAsync(line, invocationId);
        }
        return new { status };
    }

    /// <summary>
    /// Takes the invocation heading the line after <paramref name="endedId"/> out of its deferral, so its turn starts at
    /// once; one that failed for good is still at the head, to keep it while its bot is being stopped.
    /// </summary>
    private async Task WakeNextInLineAsync(string line, string endedId)
    {
        var database = redis.GetDatabase();
        var heads = await database.ListRangeAsync(line, 0, 1);
        if (heads.Select(head => (string?)head).FirstOrDefault(head => head != endedId) is not { } next)
        {
            return;
        }
        var jobId = (string?)await database.HashGetAsync(InvocationRecord.Key(next), InvocationRecord.RunJobId) ?? next;
        try
        {
            await botQueues.Invocations.PromoteJobAsync(jobId);
        }
        catch (JobEngineException)
        {
            // Not deferred: not taken up yet or running already; it finds its turn when it is taken up.
        }
    }

    private async Task<string> RunAsync(string invocationId, InvocationJobData invocation, string? line, CancellationToken ct)
    {
        var record = redis.GetDatabase();
        var recordKey = InvocationRecord.Key(invocationId);
        if (line is not null && !await HasTurnAsync(line, invocationId))
        {
            return Deferred;
        }
        var state = await record.HashGetAsync(recordKey, RunStateFields);
        if (state[0] == InvocationStatus.Cancelled)
        {
            await HandBackLeftPermitAsync(invocation, state, ct);
            return InvocationStatus.Cancelled;
        }
        if (RecordedOutcome(state) is { } recorded)
        {
            // It ended before this process (or Redis) failed, and only its delivery may be missing. Adding that again
            // is harmless (its job id is fixed); running the bot again, whose job may be gone by now, would repeat its work.
            await NotifyAsync(invocationId, invocation, recorded);
            await HandBackLeftPermitAsync(invocation, state, ct);
            return recorded.Status;
        }

        var semaphore = semaphores.For(invocation.BotType);
        var storedToken = (string?)state[5];
        var lease = storedToken is null ? null : await semaphore.ReattachAsync(storedToken, ct);
        if (lease is null)
        {
            // Watched before it is shown waiting, so a cancel from then on stops the wait.
            using var wait = permitWaitCancellations.Watch(invocationId, ct);
            if (!await InvocationRecord.MoveUnlessEndedAsync(record, invocationId, [new(InvocationRecord.Status, InvocationStatus.WaitingForSlot)]))
            {
                // Cancelled since the read above.
                return InvocationStatus.Cancelled;
            }
            if (!permitWaiters.TryEnter(invocation.BotType))
            {
                return Deferred;
            }
            try
            {
                lease = await semaphore.AcquireAsync(invocation.Priority, wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return InvocationStatus.Cancelled;
            }
            finally
            {
                permitWaiters.Leave(invocation.BotType);
            }
        }

        try
        {
            // From here the permit may have let the bot start: a step failing for an outage of Redis would hand the
            // permit back while the bot runs (or, in the last attempt, leave its end untold), so each is waited out for
            // as long as the lease lasts.
            using var leased = CancellationTokenSource.CreateLinkedTokenSource(ct, lease.Lost);
            var attempt = Math.Max(1, (int?)state[3] ?? 0);
            var botQueue = botQueues.For(invocation.BotType);
            if (!await WaitingOutOutagesAsync(() => StartBotAsync(botQueue, invocationId, invocation, lease, attempt, ct), invocationId, leased.Token))
            {
                return InvocationStatus.Cancelled;
            }
            var finished = await FollowAsync(botQueue, invocationId, recordKey, attempt, leased.Token);
            // Recording the outcome and queuing the webhook may be repeated: the outcome is written over, the delivery's job id is fixed.
            return await WaitingOutOutagesAsync(() => FinishAsync(invocationId, invocation, finished), invocationId, leased.Token);
        }
        catch (Exception) when (ct.IsCancellationRequested || lease.Lost.IsCancellationRequested)
        {
            // This process is stopping, lost the job, or lost touch with the permit (Redis out of reach past its lease,
            // while the runner may keep it for the bot): a run taking the invocation up again takes the permit over by its
            // token while the bot runs on. Handed back now, the permit could start another bot of the type meanwhile.
            await lease.DetachAsync();
            throw;
        }
        finally
        {
            // Does nothing once detached.
            await lease.ReleaseAsync();
        }
    }

    /// <summary>
    /// Releases the permit a run of an invocation that has ended left behind: stopped before handing it back, that run
    /// kept it for a run taking over, which has nothing to run.
    /// </summary>
    private async Task HandBackLeftPermitAsync(InvocationJobData invocation, RedisValue[] state, CancellationToken ct)
    {
        if ((string?)state[5] is { } leftToken && await semaphores.For(invocation.BotType).ReattachAsync(leftToken, ct) is { } left)
        {
            await left.ReleaseAsync();
        }
    }

    /// <summary>Runs <paramref name="step"/> again while Redis is out, until <paramref name="leased"/> is cancelled.</summary>
    private Task<T> WaitingOutOutagesAsync<T>(Func<Task<T>> step, string invocationId, CancellationToken leased) =>
        RedisOutage.WaitOutAsync(step, ex => logger.LogWarning("Invocation {InvocationId} waits for Redis: {Message}", invocationId, ex.Message), leased);

    /// <summary>
    /// Notes the permit in the record (a run taken up again after a crash takes it over rather than a second one) and
    /// adds the bot job, unless the invocation was cancelled meanwhile (false). Every step may be repeated.
    /// </summary>
    private async Task<bool> StartBotAsync(Queue botQueue, string invocationId, InvocationJobData invocation, SemaphoreLease lease, int attempt,
        CancellationToken ct)
    {
        var record = redis.GetDatabase();
        var recordKey = InvocationRecord.Key(invocationId);
        await record.HashSetAsync(recordKey, InvocationRecord.Lease(lease.Token, lease.LeaseTime));
        // Running is shown with the attempt it is on: the first, or the one a run before this process's reached,
        // and since the bot first started: a run taken up again after a restart re-attaches to the same bot.
        if (!await InvocationRecord.MoveUnlessEndedAsync(record, invocationId,
            [new(InvocationRecord.Status, InvocationStatus.Running), new(InvocationRecord.Attempts, attempt)],
            new HashEntry(InvocationRecord.StartedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())))
        {
            return false;
        }
        await botQueue.AddAsync(invocation.Bot, new BotJobData
        {
            InvocationId = invocationId,
            BotType = invocation.BotType,
            Bot = invocation.Bot,
            Payload = invocation.Payload,
            TimeoutSeconds = invocation.TimeoutSeconds,
        }, new JobOptions
        {
            JobId = invocationId,
            Priority = invocation.Priority,
            Attempts = options.Value.BotAttempts,
            Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromSeconds(1), Jitter: 0.2),
            RemoveOnComplete = KeepJobs.Last(options.Value.KeepFinishedJobs),
            RemoveOnFail = KeepJobs.Last(options.Value.KeepFinishedJobs),
        }, ct);
        return true;
    }

    /// <summary>
    /// Ends the invocation failed, saying why its orchestration gave up, stops its bot (which would run on unfollowed,
    /// without a permit) and tells its webhook; an ended one stays as it is. The next of its ordering line is woken,
    /// to find it ended rather than wait out its deferral.
    /// </summary>
    private async Task EndUnorchestratedAsync(string invocationId, InvocationJobData invocation, string? line, Exception error)
    {
        var outcome = new BotOutcome(InvocationStatus.Failed, null, $"The orchestration failed: {error.Message}", 0, null, null);
        if (await InvocationRecord.EndUnlessEndedAsync(redis.GetDatabase(), invocationId, outcome.Status, outcome.Error!))
        {
            logger.LogError(error, "Invocation {InvocationId} ({BotType}/{Bot}) ended failed: its orchestration failed for good",
                invocationId, invocation.BotType, invocation.Bot);
            if (BotTypes.All.Contains(invocation.BotType))
            {
                await botQueues.For(invocation.BotType).RemoveJobAsync(invocationId);
                await CancellationSignal.SendAsync(redis, invocationId);
            }
            await NotifyAsync(invocationId, invocation, outcome);
            if (line is not null)
            {
                await WakeNextInLineAsync(line, invocationId);
            }
        }
    }

    /// <summary>
    /// Makes the record of an invocation taken for the first time (one accepted outside an ordering line has none until
    /// then) from its job, accepted at <paramref name="acceptedAt"/>; a schedule's run, made by the schedule, starts now
    /// and is noted as the schedule's last run. The first run of a schedule that is gone ends cancelled, and stops its
    /// scheduler: one left behind (a deletion crossing a repeat of the schedule's creation) would run on, unseen.
    /// </summary>
    private async Task RecordFirstSightAsync(string invocationId, string jobId, InvocationJobData invocation, DateTimeOffset acceptedAt)
    {
        var database = redis.GetDatabase();
        if (invocation.ScheduleId is not { } scheduleId)
        {
            await InvocationRecord.CreateUnlessExistsAsync(database, invocationId, invocation, acceptedAt);
            return;
        }
        var firstSight = await InvocationRecord.CreateUnlessExistsAsync(database, invocationId, invocation, DateTimeOffset.UtcNow, runJobId: jobId);
        // Noted on every first sight, so a run whose first sight was cut short after its record was made is noted too.
        var noted = (long)await NoteScheduleRunScript.EvaluateAsync(database, [ScheduleRecord.Key(scheduleId), InvocationRecord.Key(invocationId)],
            [ScheduleRecord.LastInvocationId, ScheduleRecord.LastRunAt, InvocationRecord.CreatedAt, invocationId]);
        if (noted == ScheduleGone)
        {
            await botQueues.Invocations.RemoveJobSchedulerAsync(scheduleId);
            // A run seen before may have started its bot, which runs on to its end.
            if (firstSight)
            {
                await InvocationRecord.EndUnlessEndedAsync(database, invocationId, InvocationStatus.Cancelled, $"Its schedule {scheduleId} was deleted.");
            }
            logger.LogInformation("Schedule {ScheduleId} is gone: its scheduler is stopped at its run {InvocationId}", scheduleId, invocationId);
        }
    }

    /// <summary>
    /// Whether this invocation heads its ordering line, dropping heads that ended without leaving it; one that does not
    /// is marked waiting for its turn. A cancelled one goes on, to end as such.
    /// </summary>
    private async Task<bool> HasTurnAsync(string line, string invocationId)
    {
        var database = redis.GetDatabase();
        while (!await InvocationRecord.IsCancelledAsync(database, invocationId))
        {
            var head = (string?)await database.ListGetByIndexAsync(line, 0);
            if (head is null || head == invocationId)
            {
                return true;
            }
            var headFields = await database.HashGetAsync(InvocationRecord.Key(head),
                [InvocationRecord.Status, InvocationRecord.CreatedAt, InvocationRecord.ScheduleId, InvocationRecord.BotType]);
            var headStatus = (string?)headFields[0];
            if (headStatus is null || InvocationStatus.IsFinal(headStatus) && !await IsBotRunningAsync(head, (string?)headFields[3])
                || await IsAbandonedAsync(head, headStatus, headFields[1], headFields[2]))
            {
                await database.ListRemoveAsync(line, head);
                continue;
            }
            // Ended (cancelled) since the check above, it goes on to find so.
            return !await InvocationRecord.MoveUnlessEndedAsync(database, invocationId, [new(InvocationRecord.Status, InvocationStatus.WaitingForTurn)]);
        }
        return true;
    }

    /// <summary>
    /// A head whose request failed between taking its place in the line and adding its job, and was not repeated:
    /// still queued long after it was accepted, with no job. It would hold its line until its record expires.
    /// Scheduled runs are put in their line by the orchestrator running their job, so they never are.
    /// </summary>
    private async Task<bool> IsAbandonedAsync(string head, string status, RedisValue createdAt, RedisValue scheduleId)
    {
        if (status != InvocationStatus.Queued || !scheduleId.IsNull || !createdAt.TryParse(out long createdAtMs)
            || DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(createdAtMs) < AbandonedAfter)
        {
            return false;
        }
        if (await botQueues.Invocations.GetJobStateAsync(head) != JobState.Unknown)
        {
            return false;
        }
        logger.LogWarning("Invocation {InvocationId} was accepted at {CreatedAt} but never queued; its ordering line moves on without it",
            head, DateTimeOffset.FromUnixTimeMilliseconds(createdAtMs));
        return true;
    }

    /// <summary>
    /// Whether the bot of an ended invocation still runs: one cancelled as it ran keeps its line's turn until its run
    /// sees it end, so the next never runs alongside it.
    /// </summary>
    private async Task<bool> IsBotRunningAsync(string invocationId, string? botType) =>
        botType is not null && BotTypes.IsKnown(botType) && await botQueues.For(botType).GetJobStateAsync(invocationId) == JobState.Active;

    /// <summary>
    /// Mirrors the bot job's progress and the attempt it is on into the record until it completes or fails. Redis
    /// restarting or failing over is waited out: the bot runs on, and so does the permit, until its lease would run out.
    /// </summary>
    private async Task<BotOutcome> FollowAsync(Queue botQueue, string invocationId, RedisKey recordKey, int attemptShown, CancellationToken leased)
    {
        var shown = new Shown { Attempt = attemptShown };
        while (true)
        {
            if (await WaitingOutOutagesAsync(() => LookAsync(botQueue, invocationId, recordKey, shown, leased), invocationId, leased) is { } outcome)
            {
                return outcome;
            }
            await Task.Delay(options.Value.ProgressPollInterval, leased);
        }
    }

    /// <summary>What the record shows of a followed bot job, so only changes are written.</summary>
    private sealed class Shown
    {
        public string? Progress { get; set; }

        public int Attempt { get; set; }
    }

    /// <summary>One look at the bot job: its progress and attempt into the record, and its outcome once it ended.</summary>
    private async Task<BotOutcome?> LookAsync(Queue botQueue, string invocationId, RedisKey recordKey, Shown shown, CancellationToken ct)
    {
        var record = redis.GetDatabase();
        var state = await botQueue.GetJobStateAsync(invocationId, ct);
        var job = await botQueue.GetJobAsync(invocationId, ct);
        if (job is null)
        {
            // Removed while it waited, to start or to be retried: the attempts it made count, as the record has them
            // (a cancel writes them as it removes the job, which may be between two looks).
            var removed = await record.HashGetAsync(recordKey, [InvocationRecord.Status, InvocationRecord.Attempts]);
            var attemptsMade = (int?)removed[1] ?? 0;
            return removed[0] == InvocationStatus.Cancelled
                ? new BotOutcome(InvocationStatus.Cancelled, null, "cancelled", attemptsMade, null, null)
                : new BotOutcome(InvocationStatus.Failed, null, "The bot job disappeared before it finished.", attemptsMade, null, null);
        }
        // A record cancelled while its bot is being stopped keeps what it showed when it was cancelled.
        if (job.Progress is { } progress && progress.GetRawText() != shown.Progress)
        {
            shown.Progress = progress.GetRawText();
            await InvocationRecord.MoveUnlessEndedAsync(record, invocationId, [new(InvocationRecord.Progress, shown.Progress)]);
        }
        if (job.AttemptsStarted > shown.Attempt && state is not (JobState.Completed or JobState.Failed))
        {
            // A client following a retried bot sees which attempt runs (or is next), not 0 until the last one ends.
            shown.Attempt = job.AttemptsStarted;
            await InvocationRecord.MoveUnlessEndedAsync(record, invocationId, [new(InvocationRecord.Attempts, shown.Attempt)]);
        }
        switch (state)
        {
            case JobState.Completed:
                var run = job.ReturnValue?.Deserialize<BotRunResult>(WebJson);
                return new BotOutcome(InvocationStatus.Completed, run?.Result, null, job.AttemptsMade, run?.DurationMs, job.FinishedOn);
            case JobState.Failed:
                var status = await InvocationRecord.IsCancelledAsync(record, invocationId) || job.FailedReason == "cancelled" ? InvocationStatus.Cancelled : InvocationStatus.Failed;
                // A failed run returns nothing; how long its last attempt ran is told by the job's own times.
                var lastAttempt = job.FinishedOn - job.ProcessedOn;
                return new BotOutcome(status, null, job.FailedReason, job.AttemptsMade, (long?)lastAttempt?.TotalMilliseconds, job.FinishedOn);
            default:
                return null;
        }
    }

    /// <summary>Records the outcome and queues its delivery; returns the status the invocation ended with.</summary>
    private async Task<string> FinishAsync(string invocationId, InvocationJobData invocation, BotOutcome outcome)
    {
        var recordKey = InvocationRecord.Key(invocationId);
        if (!await RecordAsync(recordKey, outcome))
        {
            // A client cancelled as the bot ended, and was answered cancelled before the end was seen: the cancel stands.
            outcome = outcome with { Status = InvocationStatus.Cancelled, Result = null, Error = "cancelled" };
            await RecordAsync(recordKey, outcome);
        }
        logger.LogInformation("Invocation {InvocationId} ({BotType}/{Bot}) ended {Status}", invocationId, invocation.BotType, invocation.Bot, outcome.Status);
        await NotifyAsync(invocationId, invocation, outcome);
        return outcome.Status;
    }

    /// <summary>Writes the outcome into the record, unless it ended otherwise than cancelled and a cancel came first (false).</summary>
    private async Task<bool> RecordAsync(RedisKey recordKey, BotOutcome outcome)
    {
        var fields = new List<HashEntry>
        {
            new(InvocationRecord.Status, outcome.Status),
            new(InvocationRecord.Attempts, outcome.Attempts),
        };
        if (outcome.Status == InvocationStatus.Completed)
        {
            fields.Add(new(InvocationRecord.Progress, 100));
            fields.Add(new(InvocationRecord.Result, outcome.Result?.ToJsonString() ?? "null"));
        }
        if (outcome.Error is not null)
        {
            fields.Add(new(InvocationRecord.Error, outcome.Error));
        }
        if (outcome.DurationMs is { } durationMs)
        {
            fields.Add(new(InvocationRecord.DurationMs, durationMs));
        }
        return await ConditionalWrite.ExecuteAsync(redis.GetDatabase(),
            () => outcome.Status == InvocationStatus.Cancelled ? [] : [Condition.HashNotEqual(recordKey, InvocationRecord.Status, InvocationStatus.Cancelled)],
            finish =>
            {
                _ = finish.HashSetAsync(recordKey, [.. fields]);
                // When the bot ended, not when this process saw it end; a cancel has said when already.
                _ = finish.HashSetAsync(recordKey, InvocationRecord.FinishedAt, (outcome.EndedAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(), When.NotExists);
                _ = finish.HashDeleteAsync(recordKey, InvocationRecord.LeaseFields);
                _ = finish.KeyExpireAsync(recordKey, InvocationRecord.Retention);
            });
    }

    /// <summary>The outcome an earlier run wrote into the record (<see cref="RunStateFields"/>), when it completed or failed.</summary>
    private static BotOutcome? RecordedOutcome(RedisValue[] state) =>
        state[0] == InvocationStatus.Completed || state[0] == InvocationStatus.Failed
            ? new BotOutcome((string)state[0]!, state[1].IsNull ? null : JsonNode.Parse((string)state[1]!), (string?)state[2], (int?)state[3] ?? 0, (long?)state[4], null)
            : null;

    /// <summary>Queues the delivery of an invocation's outcome to its webhook.</summary>
    private async Task NotifyAsync(string invocationId, InvocationJobData invocation, BotOutcome outcome)
    {
        var database = redis.GetDatabase();
        var recordKey = InvocationRecord.Key(invocationId);
        var webhookEvent = new WebhookEvent
        {
            Type = outcome.Status == InvocationStatus.Completed ? WebhookEvent.Completed : WebhookEvent.Failed,
            Timestamp = DateTimeOffset.UtcNow,
            Data = new InvocationOutcome
            {
                JobId = invocationId,
                Status = outcome.Status,
                BotType = invocation.BotType,
                Bot = invocation.Bot,
                Result = outcome.Result,
                Error = outcome.Error,
                Attempts = outcome.Attempts,
                DurationMs = outcome.DurationMs,
            },
        };
        await database.HashSetAsync(recordKey, InvocationRecord.WebhookStatus, DeliveryStatus.Pending, When.NotExists);
        await botQueues.Webhooks.AddAsync(WebhookDeliveryJobData.JobName, WebhookDeliveryJobData.Of(webhookEvent, invocation.ClientId, invocation.WebhookUrl), new JobOptions
        {
            JobId = WebhookDeliveryJobData.JobIdFor(invocationId),
            RemoveOnComplete = KeepJobs.Last(options.Value.KeepFinishedJobs),
            RemoveOnFail = KeepJobs.Last(options.Value.KeepFinishedJobs),
        });
    }

    private sealed record BotOutcome(string Status, JsonNode? Result, string? Error, int Attempts, long? DurationMs, DateTimeOffset? EndedAt);
}
