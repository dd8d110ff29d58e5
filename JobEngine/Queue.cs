using System.Globalization;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Adds and manages the jobs of one queue, in BullMQ's Redis layout.</summary>
public sealed class Queue : IAsyncDisposable
{
    // What a job scheduler's hash says of it: its jobs' name, its cron pattern or interval, and its iteration count.
    private static readonly RedisValue[] SchedulerFields = ["name", "pattern", "every", "ic"];

    private readonly RedisScripts _scripts;
    private readonly QueueOptions _options;
    private readonly JobAddBatcher _adds;

    /// <summary>Opens queue <paramref name="name"/> on <paramref name="redis"/>; nothing is written until the first add.</summary>
    public Queue(string name, IConnectionMultiplexer redis, QueueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _options = options ?? new QueueOptions();
        Keys = new QueueKeys(_options.Prefix, name);
        _scripts = new RedisScripts(redis, Keys);
        _adds = new JobAddBatcher(_scripts);
        Name = name;
    }

    /// <summary>The queue name.</summary>
    public string Name { get; }

    /// <summary>The keys of this queue.</summary>
    public QueueKeys Keys { get; }

    private IDatabase Db => _scripts.Database;

    /// <summary>Adds a job and returns its id (the existing id for a duplicate custom id or a deduplication hit).</summary>
    /// <exception cref="JobDataTooLargeException">The data is larger, serialized, than <see cref="QueueOptions.MaxJobDataBytes"/>.</exception>
    /// <exception cref="ArgumentException">The data does not serialize, or an option is invalid.</exception>
    /// <exception cref="RedisUnavailableException">Redis is unreachable or did not answer in time.</exception>
    public async Task<string> AddAsync(string jobName, object? data, JobOptions? options = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        using var activity = JobTelemetry.StartAdd(Name);
        var job = JobValidation.Prepare(jobName, data, options, _options.MaxJobDataBytes, Now());
        var jobId = await _adds.AddAsync(job).ConfigureAwait(false);
        activity?.SetTag("messaging.message.id", jobId);
        return jobId;
    }

    /// <summary>
    /// Throws as <see cref="AddAsync"/> would for <paramref name="data"/>, writing nothing: for a caller that writes state
    /// of its own before it adds the job, which a refused add would leave behind.
    /// </summary>
    /// <exception cref="JobDataTooLargeException">The data is larger, serialized, than <see cref="QueueOptions.MaxJobDataBytes"/>.</exception>
    /// <exception cref="ArgumentException">The data does not serialize.</exception>
    public void CheckJobData(object? data) => JobValidation.SerializeData(data, _options.MaxJobDataBytes);

    /// <summary>
    /// Adds many jobs, as many to a script call as it carries; ids come back in input order. All jobs are validated
    /// before any is added.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddBulkAsync(IEnumerable<BulkJob> jobs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ct.ThrowIfCancellationRequested();
        using var activity = JobTelemetry.StartAdd(Name);
        var now = Now();
        var prepared = jobs.Select(job => JobValidation.Prepare(job.Name, job.Data, job.Options, _options.MaxJobDataBytes, now)).ToList();
        if (prepared.Count == 0)
        {
            return [];
        }
        return await Task.WhenAll(prepared.Select(_adds.AddAsync)).ConfigureAwait(false);
    }

    /// <summary>Reads a job, or null when it does not exist.</summary>
    public async Task<Job?> GetJobAsync(string jobId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        EnsureConnected();
        try
        {
            var entries = await Db.HashGetAllAsync(Keys.Job(jobId)).WaitAsync(ct).ConfigureAwait(false);
            return entries.Length == 0 ? null : Job.FromHash(jobId, Name, entries);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // The id names one of the queue's own keys (its wait list, events stream, ...), which share the jobs' prefix.
            return null;
        }
    }

    /// <summary>
    /// Since when the job that has waited longest has waited: its creation, or when it last went back to wait (promoted
    /// from delayed, retried, reprocessed, found stalled), of the wait list's tail and the first prioritized job of each
    /// priority, so one starved behind better priorities counts; null when nothing waits.
    /// </summary>
    public async Task<DateTimeOffset?> GetOldestWaitingSinceAsync(CancellationToken ct = default)
    {
        EnsureConnected();
        var oldest = await _scripts.GetOldestWaitingAsync().WaitAsync(ct).ConfigureAwait(false);
        return oldest.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)oldest);
    }

    /// <summary>The state of a job; <see cref="JobState.Unknown"/> when it does not exist.</summary>
    public async Task<JobState> GetJobStateAsync(string jobId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var result = await _scripts.GetStateAsync(jobId).WaitAsync(ct).ConfigureAwait(false);
        return (string?)result switch
        {
            "completed" => JobState.Completed,
            "failed" => JobState.Failed,
            "delayed" => JobState.Delayed,
            "prioritized" => JobState.Prioritized,
            "active" => JobState.Active,
            "waiting" => JobState.Waiting,
            "waiting-children" => JobState.WaitingChildren,
            _ => JobState.Unknown,
        };
    }

    /// <summary>Job counts of the given states (all when none given), from one consistent snapshot.</summary>
    public async Task<IReadOnlyDictionary<JobState, long>> GetJobCountsAsync(CancellationToken ct = default, params JobState[] states)
    {
        var counts = (RedisResult[])(await _scripts.GetCountsAsync().WaitAsync(ct).ConfigureAwait(false))!;
        JobState[] order = [JobState.Waiting, JobState.Active, JobState.Delayed, JobState.Prioritized, JobState.Completed, JobState.Failed, JobState.WaitingChildren];
        var wanted = states is { Length: > 0 } ? states : order;
        var result = new Dictionary<JobState, long>();
        for (var i = 0; i < order.Length; i++)
        {
            if (wanted.Contains(order[i]))
            {
                result[order[i]] = (long)counts[i];
            }
        }
        return result;
    }

    /// <summary>Jobs in a state, newest first unless <paramref name="ascending"/>; <paramref name="start"/>..<paramref name="end"/> are inclusive positions (-1 = last).</summary>
    public async Task<IReadOnlyList<Job>> GetJobsAsync(JobState state, long start = 0, long end = -1, bool ascending = false, CancellationToken ct = default)
    {
        EnsureConnected();
        var key = Keys.StateKey(state);
        RedisValue[] ids;
        if (state is JobState.Waiting or JobState.Active)
        {
            if (ascending)
            {
                ids = await Db.ListRangeAsync(key, -(end + 1), -(start + 1)).WaitAsync(ct).ConfigureAwait(false);
                Array.Reverse(ids);
            }
            else
            {
                ids = await Db.ListRangeAsync(key, start, end).WaitAsync(ct).ConfigureAwait(false);
            }
        }
        else
        {
            ids = await Db.SortedSetRangeByRankAsync(key, start, end, ascending ? Order.Ascending : Order.Descending).WaitAsync(ct).ConfigureAwait(false);
        }
        var batch = Db.CreateBatch();
        var reads = Array.ConvertAll(ids, id => batch.HashGetAllAsync(Keys.Job((string)id!)));
        batch.Execute();
        var hashes = await Task.WhenAll(reads).WaitAsync(ct).ConfigureAwait(false);
        var jobs = new List<Job>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (hashes[i].Length > 0)
            {
                jobs.Add(Job.FromHash((string)ids[i]!, Name, hashes[i]));
            }
        }
        return jobs;
    }

    /// <summary>Log lines of a job, oldest first.</summary>
    public async Task<IReadOnlyList<string>> GetJobLogsAsync(string jobId, long start = 0, long end = -1, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        EnsureConnected();
        var lines = await Db.ListRangeAsync(Keys.Logs(jobId), start, end).WaitAsync(ct).ConfigureAwait(false);
        return Array.ConvertAll(lines, line => (string)line!);
    }

    /// <summary>Stops workers (ours and BullMQ's) from starting jobs; adds still queue.</summary>
    public Task PauseAsync(CancellationToken ct = default) => _scripts.PauseAsync(true).WaitAsync(ct);

    /// <summary>Lets workers start jobs again.</summary>
    public Task ResumeAsync(CancellationToken ct = default) => _scripts.PauseAsync(false).WaitAsync(ct);

    /// <summary>Whether the queue is paused.</summary>
    public Task<bool> IsPausedAsync(CancellationToken ct = default)
    {
        EnsureConnected();
        return Db.HashExistsAsync(Keys.Meta, "paused").WaitAsync(ct);
    }

    /// <summary>Runs a failed or completed job again.</summary>
    /// <exception cref="JobEngineException">The job does not exist or is not finished.</exception>
    public async Task RetryJobAsync(string jobId, CancellationToken ct = default)
    {
        var state = await GetJobStateAsync(jobId, ct).ConfigureAwait(false);
        if (state is not (JobState.Failed or JobState.Completed))
        {
            throw new JobEngineException($"Job '{jobId}' is {state}; only failed or completed jobs can be retried.");
        }
        Check((long)await _scripts.ReprocessJobAsync(jobId, state, Now()).WaitAsync(ct).ConfigureAwait(false), jobId, "retry");
    }

    /// <summary>Makes a delayed job ready now.</summary>
    /// <exception cref="JobEngineException">The job is not delayed.</exception>
    public async Task PromoteJobAsync(string jobId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        Check((long)await _scripts.PromoteAsync(jobId, Now()).WaitAsync(ct).ConfigureAwait(false), jobId, "promote");
    }

    /// <summary>Removes a job and its logs; false while it is locked by a worker or does not exist.</summary>
    /// <exception cref="JobEngineException">The job is the pending run of a job scheduler.</exception>
    public async Task<bool> RemoveJobAsync(string jobId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        var result = (long)await _scripts.RemoveJobAsync(jobId).WaitAsync(ct).ConfigureAwait(false);
        if (result == -8)
        {
            throw new JobEngineException($"Job '{jobId}' is the pending run of a job scheduler; remove the scheduler instead.");
        }
        return result == 1;
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> jobs of a state older than <paramref name="grace"/>; returns their ids. A
    /// finished job's age counts from its end, a waiting, paused or delayed one's from its last attempt (or creation),
    /// a prioritized one's from its creation, as in BullMQ.
    /// </summary>
    public async Task<IReadOnlyList<string>> CleanAsync(JobState state, TimeSpan grace, int limit = 1000, CancellationToken ct = default)
    {
        if (state is JobState.Unknown or JobState.Active)
        {
            throw new ArgumentException($"Jobs in state {state} cannot be cleaned.", nameof(state));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var result = await _scripts.CleanJobsInSetAsync(state, Now() - (long)grace.TotalMilliseconds, limit).WaitAsync(ct).ConfigureAwait(false);
        return Array.ConvertAll((RedisResult[])result!, id => (string)id!);
    }

    /// <summary>Removes every waiting and prioritized job (and delayed ones when asked), except pending scheduler runs.</summary>
    public Task DrainAsync(bool includeDelayed = false, CancellationToken ct = default) =>
        _scripts.DrainAsync(includeDelayed).WaitAsync(ct);

    /// <summary>Creates or replaces a job scheduler and queues its next run; an unchanged slot is not queued twice.</summary>
    public async Task UpsertJobSchedulerAsync(string schedulerId, RepeatOptions repeat, string jobName, object? data, JobOptions? template = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedulerId);
        ArgumentNullException.ThrowIfNull(repeat);
        if (schedulerId.Contains(':'))
        {
            throw new ArgumentException($"Scheduler id '{schedulerId}' must not contain ':'.", nameof(schedulerId));
        }
        var timing = SchedulerTiming.From(repeat);
        var now = Now();
        var prepared = JobValidation.Prepare(jobName, data, template, _options.MaxJobDataBytes, now);
        var millis = timing.First(now);
        var templateJson = JobOptionsCodec.Encode(template ?? new JobOptions());
        var iterationOpts = timing.IterationOptions(templateJson, schedulerId, millis, null, now, count: 1, endDate: null);
        await _scripts.AddJobSchedulerAsync(schedulerId, millis, jobName, prepared.Data, templateJson,
            repeat.Pattern, timing.EveryMs, repeat.TimeZone, repeat.Limit ?? 0, now, iterationOpts).WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Removes a job scheduler and its pending run; false when it did not exist.</summary>
    public async Task<bool> RemoveJobSchedulerAsync(string schedulerId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedulerId);
        return (long)await _scripts.RemoveJobSchedulerAsync(schedulerId).WaitAsync(ct).ConfigureAwait(false) == 1;
    }

    /// <summary>The stored job schedulers with their pending run times.</summary>
    public async Task<IReadOnlyList<JobScheduler>> GetJobSchedulersAsync(CancellationToken ct = default)
    {
        EnsureConnected();
        var entries = await Db.SortedSetRangeByRankWithScoresAsync(Keys.Repeat).WaitAsync(ct).ConfigureAwait(false);
        var batch = Db.CreateBatch();
        var reads = Array.ConvertAll(entries, entry => batch.HashGetAsync(Keys.Scheduler((string)entry.Element!), SchedulerFields));
        batch.Execute();
        var hashes = await Task.WhenAll(reads).WaitAsync(ct).ConfigureAwait(false);
        return [.. entries.Select((entry, i) => SchedulerOf((string)entry.Element!, entry.Score, hashes[i]))];
    }

    /// <summary>One stored job scheduler with its pending run time, or null when there is none of that id.</summary>
    public async Task<JobScheduler?> GetJobSchedulerAsync(string schedulerId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(schedulerId);
        EnsureConnected();
        var batch = Db.CreateBatch();
        var next = batch.SortedSetScoreAsync(Keys.Repeat, schedulerId);
        var fields = batch.HashGetAsync(Keys.Scheduler(schedulerId), SchedulerFields);
        batch.Execute();
        await Task.WhenAll(next, fields).WaitAsync(ct).ConfigureAwait(false);
        return await next is { } score ? SchedulerOf(schedulerId, score, await fields) : null;
    }

    private static JobScheduler SchedulerOf(string id, double nextMs, RedisValue[] fields)
    {
        long? every = fields[2].IsNullOrEmpty ? null : long.Parse((string)fields[2]!, CultureInfo.InvariantCulture);
        return new JobScheduler(id, (string?)fields[0] ?? "", (string?)fields[1],
            every is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            DateTimeOffset.FromUnixTimeMilliseconds((long)nextMs),
            fields[3].IsNullOrEmpty ? 0 : int.Parse((string)fields[3]!, CultureInfo.InvariantCulture));
    }

    /// <summary>Nothing to release: the connection belongs to the caller.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void EnsureConnected()
    {
        if (!_scripts.Database.Multiplexer.IsConnected)
        {
            throw new RedisUnavailableException($"Redis is unreachable ({_scripts.Database.Multiplexer.Configuration}) for queue '{Name}'.");
        }
    }

    private static void Check(long code, string jobId, string operation)
    {
        switch (code)
        {
            case -1: throw new JobEngineException($"Cannot {operation} job '{jobId}': it does not exist.");
            case -3: throw new JobEngineException($"Cannot {operation} job '{jobId}': it is not in the required state.");
        }
    }
}
