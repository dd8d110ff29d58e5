using System.Diagnostics;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>
/// Processes the jobs of one queue: up to <see cref="WorkerOptions.Concurrency"/> at once, fetched with a blocking
/// wait on the queue marker, under locks it renews, with retries, a shared stalled-job sweep, and graceful close.
/// A job whose lock cannot be renewed (Redis out of reach) is cancelled just before the lock can run out, so it never goes
/// on here once the stalled-job sweep may have handed it to another worker (<see cref="WorkerOptions.CancelBeforeLockRunsOut"/>).
/// </summary>
public sealed class Worker : IAsyncDisposable
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    // Jobs activated or completed in one script call at most, so one call never holds Redis up for long.
    private const int MaxBatch = 32;

    private readonly IConnectionMultiplexer _redis;
    private readonly JobProcessor _processor;
    private readonly WorkerOptions _options;
    private readonly RedisScripts _scripts;
    private readonly QueueKeys _keys;
    private readonly string _workerId = Guid.NewGuid().ToString("N");
    private readonly string _workerName;
    private readonly long _lockMs;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, RunningJob> _running = new();
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _stopAll = new();
    private readonly Lock _startLock = new();
    private readonly Channel<PendingCompletion> _completions = Channel.CreateUnbounded<PendingCompletion>(new UnboundedChannelOptions { SingleReader = true });
    private long _tokenCounter;
    private Task? _started;
    private Task _fetchLoop = Task.CompletedTask;
    private Task _lockLoop = Task.CompletedTask;
    private Task _lockExpiryLoop = Task.CompletedTask;
    private Task _stalledLoop = Task.CompletedTask;
    private Task _completeLoop = Task.CompletedTask;
    private ConnectionMultiplexer? _blocking;
    private bool _closed;

    /// <summary>Creates a worker for queue <paramref name="queueName"/>; it starts at once unless <see cref="WorkerOptions.Autorun"/> is false.</summary>
    public Worker(string queueName, IConnectionMultiplexer redis, JobProcessor processor, WorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(processor);
        _options = options ?? new WorkerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Concurrency, 1, "options.Concurrency");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.LockDuration, TimeSpan.FromMilliseconds(10), "options.LockDuration");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.StalledInterval, TimeSpan.FromMilliseconds(10), "options.StalledInterval");
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxStalledCount, "options.MaxStalledCount");
        if (_options.Limiter is { } limiter && (limiter.Max < 1 || limiter.Duration <= TimeSpan.Zero))
        {
            throw new ArgumentException("Limiter needs Max >= 1 and a positive Duration.", nameof(options));
        }
        _redis = redis;
        _processor = processor;
        _keys = new QueueKeys(_options.Prefix, queueName);
        _scripts = new RedisScripts(redis, _keys);
        _workerName = _options.Name ?? "";
        _lockMs = (long)_options.LockDuration.TotalMilliseconds;
        _slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        if (_options.Autorun)
        {
            _ = StartAsync();
        }
    }

    /// <summary>Raised after a job completed, with its return value.</summary>
    public event Action<Job, JsonElement?>? Completed;

    /// <summary>Raised after an attempt failed; the flag says whether another attempt follows.</summary>
    public event Action<Job, Exception, bool>? Failed;

    /// <summary>
    /// Raised when a running job is cancelled because its lock was lost, or could not be renewed before it would run
    /// out; the stalled-job sweep hands the job to a worker again.
    /// </summary>
    public event Action<Job>? LockLost;

    /// <summary>Whether the worker is fetching jobs.</summary>
    public bool IsRunning => _started is { IsCompletedSuccessfully: true } && !_stopFetching.IsCancellationRequested;

    /// <summary>Jobs being processed right now.</summary>
    public int RunningCount => _running.Count;

    /// <summary>Begins fetching; calling it again has no effect.</summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            return (_started ??= StartCoreAsync()).WaitAsync(ct);
        }
    }

    private async Task StartCoreAsync()
    {
        var clientName = _options.Name is { Length: > 0 } name ? $"{_keys.ClientName}:w:{name}" : _keys.ClientName;
        _blocking = await DedicatedConnection.OpenAsync(_redis, clientName).ConfigureAwait(false);
        _completeLoop = Task.Run(CompleteLoopAsync);
        _fetchLoop = Task.Run(FetchLoopAsync);
        _lockLoop = Task.Run(LockLoopAsync);
        if (_options.CancelBeforeLockRunsOut)
        {
            _lockExpiryLoop = Task.Run(LockExpiryLoopAsync);
        }
        _stalledLoop = Task.Run(StalledLoopAsync);
    }

    /// <summary>
    /// Stops fetching and waits for running jobs up to <paramref name="deadline"/> (no limit when null); jobs still
    /// running then are cancelled and, once their processor has returned, returned to the front of wait (of their
    /// priority) without counting an attempt, unless they completed meanwhile.
    /// </summary>
    public async Task CloseAsync(TimeSpan? deadline = null)
    {
        Task? started;
        lock (_startLock)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            started = _started;
        }
        _stopFetching.Cancel();
        if (started is not null)
        {
            await Ignore(started).ConfigureAwait(false);
        }
        await Ignore(_fetchLoop).ConfigureAwait(false);

        var deadlineAt = deadline is { } limit ? DateTime.UtcNow + limit : DateTime.MaxValue;
        while (!AllSlotsFree && DateTime.UtcNow < deadlineAt)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        // Overrun: every job still running (including one fetched on a finish meanwhile) is cancelled, and handed back
        // to wait by its own run once its processor has returned, so it never runs here and on another worker at once.
        // A job whose processor had returned before is let finish: its outcome may be on its way to Redis.
        var giveUpAt = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!AllSlotsFree && DateTime.UtcNow < giveUpAt)
        {
            foreach (var job in _running.Values)
            {
                job.Stop();
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
        // A processor deaf to its cancellation that long is not waited for: its job is handed back while it runs on.
        foreach (var job in _running.Values.Where(job => job.TryHandBackRunning()))
        {
            await HandBackAsync(job).ConfigureAwait(false);
        }

        await _stopAll.CancelAsync().ConfigureAwait(false);
        await Ignore(_lockLoop).ConfigureAwait(false);
        await Ignore(_lockExpiryLoop).ConfigureAwait(false);
        await Ignore(_stalledLoop).ConfigureAwait(false);
        await Ignore(_completeLoop).ConfigureAwait(false);
        if (_blocking is not null)
        {
            // A pending BZPOPMIN must not hold the close up.
            await _blocking.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await _blocking.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes without a deadline.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _stopFetching.Dispose();
        _stopAll.Dispose();
        _slots.Dispose();
    }

    private bool AllSlotsFree => _slots.CurrentCount == _options.Concurrency;

    private string NextToken() => string.Concat(_workerId, ":", Interlocked.Increment(ref _tokenCounter).ToString(CultureInfo.InvariantCulture));

    private async Task FetchLoopAsync()
    {
        var stop = _stopFetching.Token;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Every free slot is filled in the same round trip.
            var taken = 1;
            while (taken < MaxBatch && _slots.Wait(0))
            {
                taken++;
            }
            var unused = taken;
            try
            {
                var tokens = new string[taken];
                for (var i = 0; i < taken; i++)
                {
                    tokens[i] = NextToken();
                }
                var sentAt = Stopwatch.GetTimestamp();
                var reply = await _scripts.MoveJobsToActiveAsync(tokens, _lockMs, Queue.Now(), _options.Limiter, _workerName).ConfigureAwait(false);
                failures = 0;
                var fetch = ParseFetched(reply, 0, tokens, sentAt);
                foreach (var activated in fetch.Jobs)
                {
                    unused--;
                    _ = Task.Run(() => RunAsync(activated));
                }
                if (unused > 0)
                {
                    _slots.Release(unused);
                    unused = 0;
                }
                if (fetch.Jobs.Count > 0)
                {
                    continue;
                }
                if (fetch.RateLimitDelayMs > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(fetch.RateLimitDelayMs), stop).ConfigureAwait(false);
                    continue;
                }
                await WaitForJobsAsync(fetch.NextDelayedDueMs, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                // The caller disposed the connection before closing the worker: nothing more can be fetched.
                return;
            }
            catch (Exception e) when (e is JobEngineException or RedisException or TimeoutException)
            {
                failures++;
                await DelayQuietly(ReconnectDelay(failures), stop).ConfigureAwait(false);
            }
            finally
            {
                if (unused > 0)
                {
                    _slots.Release(unused);
                }
            }
        }
    }

    private async Task WaitForJobsAsync(long nextDelayedDueMs, CancellationToken stop)
    {
        var timeout = _options.DrainDelay;
        if (nextDelayedDueMs > 0)
        {
            var untilDue = TimeSpan.FromMilliseconds(nextDelayedDueMs - Queue.Now());
            timeout = untilDue < timeout ? untilDue : timeout;
        }
        if (timeout > DedicatedConnection.MaxBlock)
        {
            timeout = DedicatedConnection.MaxBlock;
        }
        if (timeout < TimeSpan.FromMilliseconds(10))
        {
            timeout = TimeSpan.FromMilliseconds(10);
        }
        var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        await _blocking!.GetDatabase().ExecuteAsync("BZPOPMIN", _keys.Marker, seconds).WaitAsync(stop).ConfigureAwait(false);
    }

    private async Task RunAsync(Activated activated)
    {
        try
        {
            Activated? current = activated;
            while (current is { } job)
            {
                current = await ProcessAsync(job).ConfigureAwait(false);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Runs one job and finishes it; returns the next job when the finish fetched one.</summary>
    private async Task<Activated?> ProcessAsync(Activated activated)
    {
        var (job, token, _) = activated;
        using var running = new RunningJob(activated);
        _running[job.Id] = running;
        Outcome outcome;
        try
        {
            if (job.SchedulerId is not null)
            {
                await QueueNextSchedulerRunAsync(job, running.Cancellation.Token).ConfigureAwait(false);
            }
            if (job.DeferredFailure is { } deferred)
            {
                outcome = Outcome.Fail(new UnrecoverableException(deferred));
            }
            else
            {
                using var activity = JobTelemetry.StartProcess(_keys.QueueName, job);
                var active = new ActiveJob(job, token, _scripts, running);
                try
                {
                    var result = await _processor(active, running.Cancellation.Token).ConfigureAwait(false);
                    outcome = Outcome.Complete(result);
                }
                catch (Exception e)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                    outcome = Outcome.Fail(e);
                }
            }

            if (!running.TryFinish() || running.LockLost || running.MovedToDelayed)
            {
                return null;
            }
            if (running.Stopping && outcome.Error is not null)
            {
                // Stopped by a close that ran out of time: the attempt was cut short, not failed.
                running.HandBack();
                await HandBackAsync(running).ConfigureAwait(false);
                return null;
            }
            return await FinishAsync(job, token, outcome).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<string, RunningJob>(job.Id, running));
        }
    }

    private async Task<Activated?> FinishAsync(Job job, string token, Outcome outcome)
    {
        var fetchNext = !_stopFetching.IsCancellationRequested;
        var nextToken = fetchNext ? NextToken() : null;
        if (outcome.Error is null)
        {
            string returnJson;
            try
            {
                returnJson = outcome.Result is null ? "null" : JsonSerializer.Serialize(outcome.Result, outcome.Result.GetType());
            }
            catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
            {
                return await FinishAsync(job, token, Outcome.Fail(new UnrecoverableException($"Return value cannot be serialized to JSON: {e.Message}", e)))
                    .ConfigureAwait(false);
            }
            var keep = KeepPolicy.From(job.Options.RemoveOnComplete, _options.RemoveOnComplete);
            var completion = await CompleteAsync(new CompletedJob(job.Id, returnJson, token, keep), nextToken).ConfigureAwait(false);
            if (completion is not { } done)
            {
                return null;
            }
            if (done.Code == 0 && Completed is { } completed)
            {
                Raise(() => completed(job, JsonSerializer.Deserialize<JsonElement>(returnJson)));
            }
            // A job activated with this job's token runs even when completing this one failed.
            return done.Next;
        }

        var error = outcome.Error;
        var attempt = job.AttemptsMade + 1;
        var unrecoverable = error is UnrecoverableException;
        var willRetry = !unrecoverable && !job.IsLastAttempt;
        var stacktrace = StackTraceJson(job, error);
        RedisResult? failReply;
        if (willRetry)
        {
            var backoff = Backoff.Compute(job.Options.Backoff, attempt);
            failReply = await WithReconnect(() => backoff > 0
                ? _scripts.MoveToDelayedAsync(job.Id, token, Queue.Now(), backoff, error.Message, stacktrace)
                : _scripts.RetryJobAsync(job.Id, token, Queue.Now(), error.Message, stacktrace)).ConfigureAwait(false);
            if (failReply is null || IsError(failReply))
            {
                return null;
            }
            Raise(() => Failed?.Invoke(job, error, true));
            return null;
        }
        var keepFailed = KeepPolicy.From(job.Options.RemoveOnFail, _options.RemoveOnFail);
        var sentAt = 0L;
        failReply = await WithReconnect(() =>
        {
            sentAt = Stopwatch.GetTimestamp();
            return _scripts.MoveToFailedAsync(job.Id, Queue.Now(), error.Message, token, keepFailed,
                job.Options.Attempts, nextToken, _lockMs, _options.Limiter, _workerName, stacktrace);
        }).ConfigureAwait(false);
        if (failReply is null || IsError(failReply))
        {
            return null;
        }
        Raise(() => Failed?.Invoke(job, error, false));
        return nextToken is null ? null : ParseFetch(failReply, nextToken, sentAt);
    }

    // Returns a job to the front of wait, its attempt not counted.
    private async Task HandBackAsync(RunningJob job)
    {
        try
        {
            await _scripts.ReturnToWaitAsync(job.Job.Id, job.Token, Queue.Now()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JobEngineException or RedisException or TimeoutException)
        {
            // Redis is gone: the lock expires and the stalled sweep of any worker returns the job.
        }
    }

    private Task<(long Code, Activated? Next)?> CompleteAsync(CompletedJob job, string? nextToken)
    {
        var pending = new PendingCompletion(job, nextToken);
        if (!_completions.Writer.TryWrite(pending))
        {
            pending.Done.TrySetResult(null);
        }
        return pending.Done.Task;
    }

    // Completions that arrive while a batch is on its way go together in the next one, so a busy worker completes
    // many jobs per round trip and an idle one completes each at once.
    private async Task CompleteLoopAsync()
    {
        var reader = _completions.Reader;
        var batch = new List<PendingCompletion>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stopAll.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }
                await CompleteBatchAsync(batch).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _completions.Writer.TryComplete();
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(null);
            }
            while (reader.TryRead(out var left))
            {
                left.Done.TrySetResult(null);
            }
        }
    }

    private async Task CompleteBatchAsync(List<PendingCompletion> batch)
    {
        var jobs = batch.ConvertAll(pending => pending.Job);
        var nextTokens = batch.Where(pending => pending.NextToken is not null).Select(pending => pending.NextToken!).ToList();
        var sentAt = 0L;
        var tries = 0;
        var reply = await WithReconnect(() =>
        {
            sentAt = Stopwatch.GetTimestamp();
            tries++;
            return _scripts.MoveJobsToCompletedAsync(jobs, Queue.Now(), nextTokens, _lockMs, _options.Limiter, _workerName);
        }).ConfigureAwait(false);
        if (reply is null)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(null);
            }
            return;
        }
        var codes = Array.ConvertAll((RedisResult[])((RedisResult[])reply!)[0]!, code => (long)code);
        if (tries > 1)
        {
            await NoteCompletedByLostRepliesAsync(jobs, codes).ConfigureAwait(false);
        }
        var next = ParseFetched(reply, 1, nextTokens, sentAt).Jobs.ToDictionary(fetched => fetched.Token);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult((codes[i], batch[i].NextToken is { } token && next.TryGetValue(token, out var fetched) ? fetched : null));
        }
    }

    // A try whose reply was lost may have completed jobs: the try that answered then finds their locks gone. Those now
    // completed (or removed by their retention) are taken as completed by this worker, so it tells of their completion.
    private async Task NoteCompletedByLostRepliesAsync(List<CompletedJob> jobs, long[] codes)
    {
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] is -1 or -2)
            {
                try
                {
                    if (await _scripts.Database.SortedSetScoreAsync(_keys.Completed, jobs[i].JobId).ConfigureAwait(false) is not null
                        || !await _scripts.Database.KeyExistsAsync(_keys.Job(jobs[i].JobId)).ConfigureAwait(false))
                    {
                        codes[i] = 0;
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Out of reach again: the completion stays untold, as the job stays completed.
                }
            }
        }
    }

    private static bool IsError(RedisResult reply) => reply.Resp2Type == ResultType.Integer && (long)reply < 0;

    // Redis outages must not lose a finished job: keep trying until it answers or the worker is torn down. A call that
    // also takes next jobs notes when each try is sent: their locks are set by the try that succeeds, maybe long after the first.
    private async Task<RedisResult?> WithReconnect(Func<Task<RedisResult>> call)
    {
        for (var failures = 1; ; failures++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (e is JobEngineException or RedisException or TimeoutException)
            {
                if (_stopAll.IsCancellationRequested)
                {
                    return null;
                }
                await DelayQuietly(ReconnectDelay(failures), _stopAll.Token).ConfigureAwait(false);
            }
        }
    }

    private static string StackTraceJson(Job job, Exception error)
    {
        var traces = new List<string>(job.StackTrace) { error.ToString() };
        if (job.StackTraceLimit is { } limit && traces.Count > limit)
        {
            traces.RemoveRange(0, traces.Count - limit);
        }
        return JsonSerializer.Serialize(traces);
    }

    private async Task QueueNextSchedulerRunAsync(Job job, CancellationToken ct)
    {
        var schedulerId = job.SchedulerId!;
        var prefixOfRun = $"repeat:{schedulerId}:";
        if (!job.Id.StartsWith(prefixOfRun, StringComparison.Ordinal)
            || !long.TryParse(job.Id.AsSpan(prefixOfRun.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var currentMillis))
        {
            return;
        }
        // Nothing else queues the next run: an outage here would end the schedule, so it is waited out for as long
        // as the run is this worker's. A repeat after a lost answer queues nothing twice (the script queues only the
        // run after the one it is given, once).
        try
        {
            await RedisOutage.WaitOutAsync(() => QueueRunAfterAsync(schedulerId, currentMillis), null, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or JobEngineException or RedisException or TimeoutException or ArgumentException
                                      or InvalidOperationException or FormatException or JsonException)
        {
            // The run itself still goes ahead; a scheduler that cannot advance is visible in GetJobSchedulersAsync.
        }
    }

    private async Task QueueRunAfterAsync(string schedulerId, long currentMillis)
    {
        var fields = await _scripts.Database.HashGetAsync(_keys.Scheduler(schedulerId), ["pattern", "every", "tz", "opts", "offset", "ic", "limit", "endDate"])
            .ConfigureAwait(false);
        var every = Number(fields[1]) ?? 0;
        if (fields[0].IsNullOrEmpty && every == 0)
        {
            return;
        }
        var now = Queue.Now();
        // A scheduler made with an end date (by BullMQ) makes no run once it is past, as BullMQ's workers do.
        var endDate = Number(fields[7]);
        if (now > endDate)
        {
            return;
        }
        var timing = SchedulerTiming.From((string?)fields[0], every, (string?)fields[2], Number(fields[4]) ?? 0, (int?)Number(fields[6]));
        var nextMillis = timing.Next(currentMillis, now);
        var opts = timing.IterationOptions((string?)fields[3], schedulerId, nextMillis, currentMillis, now, count: (Number(fields[5]) ?? 0) + 1, endDate);
        await _scripts.UpdateJobSchedulerAsync(schedulerId, currentMillis, nextMillis, now, opts).ConfigureAwait(false);

        static long? Number(RedisValue field) => field.IsNullOrEmpty ? null : (long)double.Parse((string)field!, CultureInfo.InvariantCulture);
    }

    // Renews the locks every half of their duration, and sooner again after a renewal failed.
    private async Task LockLoopAsync()
    {
        var stop = _stopAll.Token;
        var delay = _options.LockDuration / 2;
        while (!stop.IsCancellationRequested)
        {
            await DelayQuietly(delay, stop).ConfigureAwait(false);
            var held = _running.Values.Where(job => job.HoldsLock).ToList();
            if (held.Count == 0)
            {
                continue;
            }
            var sentAt = Stopwatch.GetTimestamp();
            try
            {
                var lost = ((RedisResult[])(await _scripts.ExtendLocksAsync(_lockMs, [.. held.Select(job => (job.Job.Id, job.Token))]).ConfigureAwait(false))!)
                    .Select(id => (string)id!).ToHashSet();
                foreach (var job in held)
                {
                    if (lost.Contains(job.Job.Id))
                    {
                        // Not when the job's own finish or move to delayed took the lock meanwhile: those find a lost
                        // lock themselves.
                        if (job.IsProcessing)
                        {
                            GiveUpLock(job);
                        }
                    }
                    else
                    {
                        job.LockedSince = sentAt;
                    }
                }
                delay = _options.LockDuration / 2;
            }
            catch (Exception e) when (e is JobEngineException or RedisException or TimeoutException)
            {
                delay = _options.LockDuration / 8;
            }
        }
    }

    // A lock not renewed for seven eighths of its duration is given up (its job cancelled) while it still holds, so the
    // job has stopped here before the stalled-job sweep can hand it to another worker; as late as that, so a renewal
    // held up by a reconnect still lands in time. It runs apart from the renewals, which hang while Redis is out of reach.
    private async Task LockExpiryLoopAsync()
    {
        var stop = _stopAll.Token;
        var giveUpAfter = _options.LockDuration * 7 / 8;
        while (!stop.IsCancellationRequested)
        {
            await DelayQuietly(_options.LockDuration / 16, stop).ConfigureAwait(false);
            foreach (var job in _running.Values)
            {
                if (job.HoldsLock && Stopwatch.GetElapsedTime(job.LockedSince) >= giveUpAfter)
                {
                    GiveUpLock(job);
                }
            }
        }
    }

    private void GiveUpLock(RunningJob job)
    {
        job.LockLost = true;
        job.TryCancel();
        Raise(() => LockLost?.Invoke(job.Job));
    }

    private async Task StalledLoopAsync()
    {
        var stop = _stopAll.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _scripts.MoveStalledJobsToWaitAsync(_options.MaxStalledCount, Queue.Now(), (long)_options.StalledInterval.TotalMilliseconds)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (e is JobEngineException or RedisException or TimeoutException)
            {
                // Another worker's sweep, or the next one, covers it.
            }
            await DelayQuietly(_options.StalledInterval, stop).ConfigureAwait(false);
        }
    }

    // The jobs of a moveJobsToActive reply at parts[offset], each paired with the token it was locked with, by a call
    // sent at sentAt.
    private Fetched ParseFetched(RedisResult reply, int offset, IReadOnlyList<string> tokens, long sentAt)
    {
        var parts = (RedisResult[])reply!;
        var flat = (RedisResult[])parts[offset]!;
        var jobs = new List<Activated>(flat.Length / 2);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            jobs.Add(new Activated(Job.FromFlatHash((string)flat[i + 1]!, _keys.QueueName, (RedisResult[])flat[i]!), tokens[i / 2], sentAt));
        }
        return new Fetched(jobs, (long)parts[offset + 1], (long)parts[offset + 2]);
    }

    // The next job of a moveToFinished reply, locked with token by a call sent at sentAt; null when there was none.
    private Activated? ParseFetch(RedisResult reply, string token, long sentAt)
    {
        var parts = (RedisResult[])reply!;
        return parts[0].Resp2Type == ResultType.Array
            ? new Activated(Job.FromFlatHash((string)parts[1]!, _keys.QueueName, (RedisResult[])parts[0]!), token, sentAt)
            : null;
    }

    private static TimeSpan ReconnectDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxReconnectDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures - 1, 10))));

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or JobEngineException or RedisException or TimeoutException)
        {
            // Closing: a failed start or a cancelled loop has nothing left to do.
        }
    }

    private static void Raise(Action handler)
    {
        try
        {
            handler();
        }
        catch (Exception)
        {
            // A subscriber's exception must not break job processing.
        }
    }

    /// <summary>A job this worker activated, the token it is locked with, and a time (a stopwatch timestamp) no later than the lock was set.</summary>
    private readonly record struct Activated(Job Job, string Token, long LockedSince);

    private readonly record struct Fetched(List<Activated> Jobs, long RateLimitDelayMs, long NextDelayedDueMs);

    private sealed class PendingCompletion(CompletedJob job, string? nextToken)
    {
        public CompletedJob Job { get; } = job;

        public string? NextToken { get; } = nextToken;

        public TaskCompletionSource<(long Code, Activated? Next)?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct Outcome(object? Result, Exception? Error)
    {
        public static Outcome Complete(object? result) => new(result, null);

        public static Outcome Fail(Exception error) => new(null, error);
    }

    private sealed class RunningJob(Activated activated) : ActiveJob.IDelayedMoves, IDisposable
    {
        // Whether the processor runs, has returned (its outcome is being written), or the job was handed back to wait.
        private const int Processing = 0;
        private const int Finishing = 1;
        private const int HandedBack = 2;

        private long _lockedSince = activated.LockedSince;
        private int _state = Processing;

        public Job Job { get; } = activated.Job;

        public string Token { get; } = activated.Token;

        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Cancelled by a close that ran out of time: a failure of its processor hands it back to wait.</summary>
        public volatile bool Stopping;

        // Set as the processor moves the job to delayed, which takes the lock, and once it has.
        private volatile bool _movingToDelayed;
        private volatile bool _movedToDelayed;

        public volatile bool LockLost;

        /// <summary>A stopwatch timestamp no later than the lock was last set or renewed.</summary>
        public long LockedSince
        {
            get => Volatile.Read(ref _lockedSince);
            set => Volatile.Write(ref _lockedSince, value);
        }

        public bool HoldsLock => Volatile.Read(ref _state) != HandedBack && !LockLost && !_movedToDelayed;

        /// <summary>Whether the processor moved the job back to delayed, so the worker leaves it there instead of finishing it.</summary>
        public bool MovedToDelayed => _movedToDelayed;

        /// <summary>Whether the processor runs and keeps the job active: not moving it to delayed, not returned.</summary>
        public bool IsProcessing => Volatile.Read(ref _state) == Processing && !_movingToDelayed;

        public void Moving() => _movingToDelayed = true;

        public void Moved() => _movedToDelayed = true;

        /// <summary>Notes that the processor has returned, unless the job was handed back while it ran (false).</summary>
        public bool TryFinish() => Interlocked.CompareExchange(ref _state, Finishing, Processing) == Processing;

        /// <summary>Notes the job handed back while its processor still runs, unless the processor has returned (false).</summary>
        public bool TryHandBackRunning() => Interlocked.CompareExchange(ref _state, HandedBack, Processing) == Processing;

        /// <summary>Notes the job handed back by its own run, after its processor returned.</summary>
        public void HandBack() => Volatile.Write(ref _state, HandedBack);

        public void Stop()
        {
            if (Volatile.Read(ref _state) == Processing)
            {
                Stopping = true;
                TryCancel();
            }
        }

        public void TryCancel()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The job finished meanwhile.
            }
        }

        public void Dispose() => Cancellation.Dispose();
    }
}
