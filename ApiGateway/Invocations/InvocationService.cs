using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Apis;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>Accepts, reads and cancels invocations; the orchestrator does the rest.</summary>
public sealed class InvocationService(IConnectionMultiplexer redis)
{
    private static readonly CachedLuaScript AcceptScript = new(CachedLuaScript.ReadEmbedded(typeof(InvocationService).Assembly, "acceptInvocation.lua"));

    private readonly Queue _invocations = new(QueueNames.Invocations, redis);
    private readonly Dictionary<string, Queue> _botQueues = BotTypes.All.ToDictionary(type => type, type => new Queue(QueueNames.Bots(type), redis));
    private readonly Queue _webhooks = new(QueueNames.Webhooks, redis);

    public enum Submission { Accepted, Repeated, Conflict }

    /// <summary>
    /// Adds an invocation, or with a <paramref name="claim"/> held by an earlier request, answers with that request's
    /// job: <see cref="Submission.Repeated"/>, or <see cref="Submission.Conflict"/> when its body was another.
    /// </summary>
    /// <exception cref="JobDataTooLargeException">Its job data is more than the engine takes; nothing was written.</exception>
    public async Task<(Submission Outcome, string? JobId)> SubmitAsync(string clientId, InvokeRequest request, RequestClaim? claim, byte[] body)
    {
        var invocation = request.ToJobData(clientId);
        // Before the claim, the record and the place in the line are written, which a job the engine refused would leave behind.
        _invocations.CheckJobData(invocation);
        var database = redis.GetDatabase();
        var jobId = InvocationIds.New();
        if (claim is not null && !await database.StringSetAsync(claim.Key, IdempotencyClaim.Value(body, jobId), claim.Window, When.NotExists))
        {
            if (IdempotencyClaim.IdFor(await database.StringGetAsync(claim.Key), body) is not { } claimedJobId)
            {
                return (Submission.Conflict, null);
            }
            if (await IsSubmittedAsync(database, claimedJobId))
            {
                return (Submission.Repeated, claimedJobId);
            }
            // The request that made the claim failed before its job was added (Redis went away): this repeat adds it,
            // under the claimed id, which the engine adds once however many repeats race.
            jobId = claimedJobId;
        }
        await EnqueueAsync(database, invocation, jobId);
        return (Submission.Accepted, jobId);
    }

    /// <summary>The job of an accepted request that made <paramref name="claim"/> with the same body, if there is one.</summary>
    public async Task<string?> AcceptedRepeatOfAsync(RequestClaim claim, byte[] body)
    {
        var database = redis.GetDatabase();
        return IdempotencyClaim.IdFor(await database.StringGetAsync(claim.Key), body) is { } jobId && await IsSubmittedAsync(database, jobId) ? jobId : null;
    }

    private async Task EnqueueAsync(IDatabase database, InvocationJobData invocation, string jobId)
    {
        if (OrderingLine.Key(invocation.ClientId, invocation.OrderingKey) is { } line)
        {
            // A line's head is judged by its record: the record and the place in the line are acknowledged before the
            // job is added. If the add fails, the record stays queued without a job, which a repeat of the request
            // completes (see SubmitAsync) and the line skips in time.
            RedisValue[] arguments =
            [
                jobId,
                (long)InvocationRecord.Retention.TotalSeconds,
                .. InvocationRecord.Accepted(invocation, DateTimeOffset.UtcNow).SelectMany(field => (RedisValue[])[field.Name, field.Value]),
            ];
            await AcceptScript.EvaluateAsync(database, [InvocationRecord.Key(jobId), line], arguments);
        }
        await _invocations.AddAsync("invoke", invocation, JobOptionsFor(invocation.Priority) with { JobId = jobId });
    }

    // Its job exists, or the orchestrator has taken it past queued (its job may since be gone with retention).
    private async Task<bool> IsSubmittedAsync(IDatabase database, string jobId) =>
        await database.HashGetAsync(InvocationRecord.Key(jobId), InvocationRecord.Status) is { HasValue: true } status && status != InvocationStatus.Queued
        || await _invocations.GetJobStateAsync(jobId) != JobState.Unknown;

    /// <summary>How an <c>invocations</c> job is retried when its orchestration fails; the orchestrator's retention decides how long it is kept.</summary>
    public static JobOptions JobOptionsFor(int priority) => new()
    {
        Priority = priority,
        Attempts = 3,
        Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromSeconds(1), Jitter: 0.2),
    };

    /// <summary>The invocation as its client sees it, or null when it does not exist or belongs to another client.</summary>
    public async Task<InvocationView?> GetAsync(string clientId, string jobId)
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(InvocationRecord.Key(jobId))).ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        if (fields.Count == 0 && await _invocations.GetJobAsync(jobId) is { } job && QueuedOf(job) is { } queued)
        {
            return queued.Invocation.ClientId == clientId ? QueuedView(jobId, queued.Invocation, queued.AcceptedAt) : null;
        }
        if (fields.GetValueOrDefault(InvocationRecord.ClientId) != clientId)
        {
            return null;
        }
        string? Field(string name) => fields.GetValueOrDefault(name);
        int? Number(string name) => int.TryParse(Field(name), out var number) ? number : null;
        return new InvocationView(
            jobId,
            Field(InvocationRecord.Status),
            Field(InvocationRecord.BotType),
            Field(InvocationRecord.Bot),
            Json(Field(InvocationRecord.Progress)) ?? 0,
            Json(Field(InvocationRecord.Result)),
            Field(InvocationRecord.Error),
            Number(InvocationRecord.Attempts) ?? 0,
            RecordTime.Parse(Field(InvocationRecord.CreatedAt)),
            RecordTime.Parse(Field(InvocationRecord.StartedAt)),
            RecordTime.Parse(Field(InvocationRecord.FinishedAt)),
            new WebhookDeliveryView(
                Field(InvocationRecord.WebhookStatus) ?? DeliveryStatus.Pending,
                Number(InvocationRecord.WebhookAttempts) ?? 0,
                Number(InvocationRecord.WebhookLastStatusCode),
                RecordTime.Parse(Field(InvocationRecord.WebhookNextAttemptAt))));
    }

    /// <summary>
    /// The invocation of an <c>invocations</c> job, with when it was accepted: while it is queued outside an ordering
    /// line, the job is all there is of it. Null for a schedule's run, which goes by an invocation id other than its
    /// job's, and for data that is no invocation's.
    /// </summary>
    private static (InvocationJobData Invocation, DateTimeOffset AcceptedAt)? QueuedOf(Job job)
    {
        try
        {
            return job.GetData<InvocationJobData>() is { ScheduleId: null } invocation ? (invocation, job.Timestamp) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static InvocationView QueuedView(string jobId, InvocationJobData invocation, DateTimeOffset acceptedAt) =>
        new(jobId, InvocationStatus.Queued, invocation.BotType, invocation.Bot, 0, null, null, 0, acceptedAt, null, null,
            new WebhookDeliveryView(DeliveryStatus.Pending, 0, null, null));

    /// <summary>Whether an invocation of this id has a record, whoever's it is.</summary>
    public Task<bool> ExistsAsync(string jobId) => redis.GetDatabase().KeyExistsAsync(InvocationRecord.Key(jobId));

    public enum Cancellation { Cancelled, NotFound, AlreadyFinished }

    /// <summary>
    /// Removes a waiting invocation, or tells the runners to kill its running bot; either way it ends cancelled.
    /// Cancelling again repeats every step, so a cancel cut short (Redis went away) is completed by its repeat.
    /// </summary>
    public async Task<Cancellation> CancelAsync(string clientId, string jobId)
    {
        var database = redis.GetDatabase();
        var recordKey = InvocationRecord.Key(jobId);
        RedisValue[] cancelFields = [InvocationRecord.ClientId, InvocationRecord.Status, InvocationRecord.BotType, InvocationRecord.OrderingLine];
        var fields = await database.HashGetAsync(recordKey, cancelFields);
        if (fields[0].IsNull && await _invocations.GetJobAsync(jobId) is { } job && QueuedOf(job)?.Invocation.ClientId == clientId)
        {
            await MakeRecordOfQueuedAsync(job);
            fields = await database.HashGetAsync(recordKey, cancelFields);
        }
        if (fields[0] != clientId)
        {
            return Cancellation.NotFound;
        }
        if (fields[1] != InvocationStatus.Cancelled)
        {
            // The bot may end between the read above and this write: whichever the record says first stands, so a
            // client is never told cancelled for an invocation whose webhook says completed.
            if (InvocationStatus.IsFinal(fields[1]!)
                || !await InvocationRecord.EndUnlessEndedAsync(database, jobId, InvocationStatus.Cancelled, "cancelled")
                && await database.HashGetAsync(recordKey, InvocationRecord.Status) != InvocationStatus.Cancelled)
            {
                return Cancellation.AlreadyFinished;
            }
        }
        await _invocations.RemoveJobAsync(jobId);
        var botQueue = _botQueues.GetValueOrDefault((string?)fields[2] ?? "");
        if (botQueue is null || !await RemoveWaitingBotAsync(botQueue, recordKey, jobId))
        {
            await CancellationSignal.SendAsync(redis, jobId);
        }
        // A running bot keeps its place at the head of its line until its orchestration sees it end, so the next one
        // never starts while it is being stopped.
        if (!fields[3].IsNull && (botQueue is null || await botQueue.GetJobStateAsync(jobId) != JobState.Active))
        {
            await database.ListRemoveAsync((string)fields[3]!, jobId);
        }
        await NotifyCancelledAsync(jobId);
        return Cancellation.Cancelled;
    }

    /// <summary>
    /// Queues the webhook of an invocation ended cancelled here: one whose bot never started has nobody else to tell its
    /// client. Its delivery has the invocation's fixed job id, so an orchestrator telling the end of a killed bot later
    /// adds none, and a repeated cancel none either.
    /// </summary>
    private async Task NotifyCancelledAsync(string invocationId)
    {
        var database = redis.GetDatabase();
        var recordKey = InvocationRecord.Key(invocationId);
        var fields = await database.HashGetAsync(recordKey,
            [InvocationRecord.ClientId, InvocationRecord.WebhookUrl, InvocationRecord.BotType, InvocationRecord.Bot, InvocationRecord.Error, InvocationRecord.Attempts]);
        if (fields[0].IsNull || fields[1].IsNull)
        {
            return;
        }
        var webhookEvent = new WebhookEvent
        {
            Type = WebhookEvent.Failed,
            Timestamp = DateTimeOffset.UtcNow,
            Data = new InvocationOutcome
            {
                JobId = invocationId,
                Status = InvocationStatus.Cancelled,
                BotType = (string?)fields[2] ?? "",
                Bot = (string?)fields[3] ?? "",
                Error = (string?)fields[4],
                Attempts = (int?)fields[5] ?? 0,
            },
        };
        await database.HashSetAsync(recordKey, InvocationRecord.WebhookStatus, DeliveryStatus.Pending, When.NotExists);
        await _webhooks.AddAsync(WebhookDeliveryJobData.JobName, WebhookDeliveryJobData.Of(webhookEvent, (string)fields[0]!, (string)fields[1]!),
            new JobOptions { JobId = WebhookDeliveryJobData.JobIdFor(invocationId) });
    }

    /// <summary>
    /// Ends the records of invocations whose jobs an operator removed from the queue (the dashboard's remove or clean):
    /// cancelled, saying so, rather than queued until their records expire. Ended records are left as they are, and
    /// so are the runs of schedules not yet taken, which have none.
    /// </summary>
    public async Task EndRemovedAsync(IEnumerable<string> jobIds)
    {
        var database = redis.GetDatabase();
        // A schedule's run goes by its invocation id, not its job's.
        foreach (var invocationId in jobIds.Select(InvocationIds.Of))
        {
            if (await InvocationRecord.EndUnlessEndedAsync(database, invocationId, InvocationStatus.Cancelled, "Removed from the queue by an operator."))
            {
                await NotifyCancelledAsync(invocationId);
            }
        }
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> invocations in <paramref name="state"/> accepted by <paramref name="acceptedBy"/>,
    /// oldest first, each once its record is made as the orchestrator would on taking it, so that its client sees it end;
    /// returns the ids removed. Only the jobs read here are removed, so one accepted meanwhile stays whatever its time;
    /// so do a job a worker took meanwhile and a schedule's pending run.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveQueuedAsync(JobState state, DateTimeOffset acceptedBy, int limit)
    {
        const int PageSize = 1000;
        var chosen = new List<Job>();
        for (long start = 0; chosen.Count < limit; start += PageSize)
        {
            var page = await _invocations.GetJobsAsync(state, start, start + PageSize - 1, ascending: true);
            chosen.AddRange(page.Where(job => job.Timestamp <= acceptedBy).Take(limit - chosen.Count));
            if (page.Count < PageSize)
            {
                break;
            }
        }
        // Each step for all of them together, in a few round trips rather than one each.
        await Task.WhenAll(chosen.Select(MakeRecordOfQueuedAsync));
        var removed = await Task.WhenAll(chosen.Select(job => RemoveUnlessHeldAsync(job.Id)));
        return [.. chosen.Where((_, i) => removed[i]).Select(job => job.Id)];
    }

    // False for a job a worker holds, and for a schedule's pending run, which goes only with its schedule.
    private async Task<bool> RemoveUnlessHeldAsync(string jobId)
    {
        try
        {
            return await _invocations.RemoveJobAsync(jobId);
        }
        catch (JobEngineException e) when (e is not RedisUnavailableException)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes the record of the invocation of <paramref name="job"/> when it is queued without one: before it is cancelled
    /// or an operator removes the job.
    /// </summary>
    public async Task MakeRecordOfQueuedAsync(Job job)
    {
        if (QueuedOf(job) is { } queued)
        {
            await InvocationRecord.CreateUnlessExistsAsync(redis.GetDatabase(), job.Id, queued.Invocation, queued.AcceptedAt);
        }
    }

    /// <summary>
    /// Removes a bot job waiting to start or to be retried, having recorded the attempts it made: once it is gone, the
    /// orchestrator following it can no longer tell. A running bot's job stays (false), for its runner to kill.
    /// </summary>
    private async Task<bool> RemoveWaitingBotAsync(Queue botQueue, RedisKey recordKey, string jobId)
    {
        if (await botQueue.GetJobAsync(jobId) is { } botJob)
        {
            await redis.GetDatabase().HashSetAsync(recordKey, InvocationRecord.Attempts, botJob.AttemptsStarted);
        }
        return await botQueue.RemoveJobAsync(jobId);
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
}
