using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>
/// The one place that knows the Lua scripts of a queue: loads them once per server (SCRIPT LOAD),
/// calls them by SHA (EVALSHA), reloads on NOSCRIPT, and passes their keys and arguments in order.
/// </summary>
internal sealed partial class RedisScripts
{
    private static readonly ConcurrentDictionary<string, Script> Cache = new();
    private static readonly ConditionalWeakTable<IConnectionMultiplexer, Task> Preloads = new();
    private static readonly string[] AllScripts = typeof(RedisScripts).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".lua", StringComparison.Ordinal))
        .Select(name => name[ResourcePrefix.Length..^".lua".Length])
        .Where(name => QueueScriptName().IsMatch(name))
        .ToArray();
    private static readonly RedisValue Zero = "0";
    private static readonly RedisValue One = "1";
    private static readonly RedisValue Empty = "";

    private readonly IConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly RedisValue _base;
    private readonly RedisKey[] _addKeys;
    private readonly RedisKey[] _activationKeys;
    private readonly RedisKey[] _workerKeys;
    private readonly RedisKey[] _completedKeys;
    private readonly RedisKey[] _failedKeys;
    private readonly RedisKey[] _stalledKeys;
    private readonly RedisKey[] _stalledCheckKeys;
    private readonly RedisKey[] _pauseKeys;
    private readonly RedisKey[] _promoteKeys;
    private readonly RedisKey[] _removeKeys;
    private readonly RedisKey[] _drainKeys;
    private readonly RedisKey[] _countKeys;
    private readonly RedisKey[] _waitingKeys;
    private readonly RedisKey[] _stateKeys;
    private readonly RedisKey[] _schedulerKeys;

    public RedisScripts(IConnectionMultiplexer redis, QueueKeys keys)
    {
        EnsureOneSlotOnCluster(redis, keys);
        _redis = redis;
        _db = redis.GetDatabase();
        Keys = keys;
        _base = keys.Base;
        _addKeys = [keys.Wait, keys.Meta, keys.Id, keys.Delayed, keys.Prioritized, keys.PriorityCounter, keys.Events, keys.Marker, keys.Active];
        _schedulerKeys = [.. _addKeys, keys.Repeat];
        _activationKeys = [keys.Wait, keys.Active, keys.Prioritized, keys.Events, keys.Meta, keys.Limiter, keys.Delayed, keys.Marker, keys.PriorityCounter];
        _workerKeys = [.. _activationKeys, keys.Stalled];
        _completedKeys = [.. _workerKeys, keys.Completed];
        _failedKeys = [.. _workerKeys, keys.Failed];
        _stalledKeys = [keys.Stalled];
        _stalledCheckKeys = [keys.Stalled, keys.Wait, keys.Active, keys.StalledCheck, keys.Meta, keys.Events, keys.Marker, keys.Repeat];
        _pauseKeys = [keys.Meta, keys.Paused, keys.Wait, keys.Prioritized, keys.Delayed, keys.Marker, keys.Events];
        _promoteKeys = [keys.Delayed, keys.Wait, keys.Prioritized, keys.PriorityCounter, keys.Meta, keys.Active, keys.Marker, keys.Events];
        _removeKeys = [keys.Wait, keys.Active, keys.Delayed, keys.Prioritized, keys.Completed, keys.Failed, keys.WaitingChildren, keys.Paused, keys.Repeat, keys.Events];
        _drainKeys = [keys.Wait, keys.Prioritized, keys.Delayed, keys.PriorityCounter, keys.Repeat];
        _countKeys = [keys.Wait, keys.Active, keys.Delayed, keys.Prioritized, keys.Completed, keys.Failed, keys.WaitingChildren, keys.Paused];
        _waitingKeys = [keys.Wait, keys.Prioritized];
        _stateKeys = [keys.Completed, keys.Failed, keys.Delayed, keys.Prioritized, keys.Active, keys.Wait, keys.Paused, keys.WaitingChildren];
    }

    public QueueKeys Keys { get; }

    // The scripts reach job keys they build from the base, so on a cluster all of a queue's keys must share one slot.
    private static void EnsureOneSlotOnCluster(IConnectionMultiplexer redis, QueueKeys keys)
    {
        if (!keys.HasHashTag && redis.GetServers().Any(server => server.IsConnected && server.ServerType == ServerType.Cluster))
        {
            throw new ArgumentException(
                $"Prefix '{keys.Prefix}' of queue '{keys.QueueName}' has no hash tag, which Redis Cluster needs to keep a queue's keys in one slot: " +
                $"use a prefix such as '{{{keys.Prefix}}}' (the same string on every BullMQ client of the queue) or put the tag in the queue name.",
                "Prefix");
        }
    }

    public IDatabase Database => _db;

    /// <summary>Adds jobs in one script call; the result is their ids in order.</summary>
    public Task<RedisResult> AddJobsAsync(IReadOnlyList<PreparedJob> jobs)
    {
        var args = new RedisValue[1 + jobs.Count * 10];
        args[0] = _base;
        var at = 1;
        foreach (var job in jobs)
        {
            args[at++] = job.CustomId ?? Empty;
            args[at++] = job.Name;
            args[at++] = job.Data;
            args[at++] = job.Opts;
            args[at++] = job.Timestamp;
            args[at++] = job.Delay;
            args[at++] = job.Priority;
            args[at++] = job.Lifo ? One : Zero;
            args[at++] = job.DeduplicationId ?? Empty;
            args[at++] = job.DeduplicationTtl;
        }
        return EvaluateAsync("addJobs-9", _addKeys, args);
    }

    /// <summary>Activates up to one job per token, each locked with its token.</summary>
    public Task<RedisResult> MoveJobsToActiveAsync(IReadOnlyList<string> tokens, long lockDurationMs, long now, RateLimit? limiter, string workerName)
    {
        var args = new RedisValue[6 + tokens.Count];
        args[0] = _base;
        args[1] = lockDurationMs;
        args[2] = now;
        args[3] = limiter?.Max ?? 0;
        args[4] = (long)(limiter?.Duration.TotalMilliseconds ?? 0);
        args[5] = workerName;
        for (var i = 0; i < tokens.Count; i++)
        {
            args[6 + i] = tokens[i];
        }
        return EvaluateAsync("moveJobsToActive-9", _activationKeys, args);
    }

    /// <summary>Completes several jobs, then activates up to one next job per token in <paramref name="nextTokens"/>.</summary>
    public Task<RedisResult> MoveJobsToCompletedAsync(IReadOnlyList<CompletedJob> jobs, long now, IReadOnlyList<string> nextTokens,
        long lockDurationMs, RateLimit? limiter, string workerName)
    {
        var args = new RedisValue[7 + jobs.Count * 6 + nextTokens.Count];
        args[0] = _base;
        args[1] = now;
        args[2] = lockDurationMs;
        args[3] = limiter?.Max ?? 0;
        args[4] = (long)(limiter?.Duration.TotalMilliseconds ?? 0);
        args[5] = workerName;
        args[6] = jobs.Count;
        var at = 7;
        foreach (var job in jobs)
        {
            args[at++] = job.JobId;
            args[at++] = job.ReturnJson;
            args[at++] = job.Token;
            args[at++] = job.Keep.Count;
            args[at++] = job.Keep.AgeSeconds;
            args[at++] = job.Keep.Limit;
        }
        foreach (var token in nextTokens)
        {
            args[at++] = token;
        }
        return EvaluateAsync("moveJobsToCompleted-11", _completedKeys, args);
    }

    /// <summary>Fails an active job for good, then activates the next one when <paramref name="nextToken"/> is given.</summary>
    public Task<RedisResult> MoveToFailedAsync(string jobId, long now, string failedReason, string token,
        KeepPolicy keep, int attempts, string? nextToken, long lockDurationMs, RateLimit? limiter, string workerName, string? stacktrace) =>
        EvaluateAsync("moveToFinished-11", _failedKeys,
        [
            _base, jobId, now, "failedReason", failedReason, "failed", token,
            keep.Count, keep.AgeSeconds, keep.Limit, attempts, nextToken is null ? Zero : One, lockDurationMs, limiter?.Max ?? 0,
            (long)(limiter?.Duration.TotalMilliseconds ?? 0), workerName, stacktrace ?? Empty, nextToken ?? Empty,
        ]);

    public Task<RedisResult> MoveToDelayedAsync(string jobId, string token, long now, long backoffMs, string failedReason, string stacktrace) =>
        EvaluateAsync("moveToDelayed-10", _workerKeys, [_base, jobId, token, now, backoffMs, failedReason, stacktrace, One]);

    /// <summary>Moves an active job to delayed for <paramref name="delayMs"/> without counting an attempt.</summary>
    public Task<RedisResult> DelayActiveJobAsync(string jobId, string token, long now, long delayMs) =>
        EvaluateAsync("moveToDelayed-10", _workerKeys, [_base, jobId, token, now, delayMs, "", "", Zero]);

    public Task<RedisResult> RetryJobAsync(string jobId, string token, long now, string failedReason, string stacktrace) =>
        EvaluateAsync("retryJob-10", _workerKeys, [_base, jobId, token, now, failedReason, stacktrace, One]);

    /// <summary>Puts an unfinished active job back at the front of wait without counting an attempt.</summary>
    public Task<RedisResult> ReturnToWaitAsync(string jobId, string token, long now) =>
        EvaluateAsync("retryJob-10", _workerKeys, [_base, jobId, token, now, Empty, Empty, Zero]);

    public Task<RedisResult> ExtendLocksAsync(long lockDurationMs, IReadOnlyCollection<(string JobId, string Token)> locks)
    {
        var args = new RedisValue[2 + locks.Count * 2];
        args[0] = _base;
        args[1] = lockDurationMs;
        var i = 2;
        foreach (var (jobId, token) in locks)
        {
            args[i++] = jobId;
            args[i++] = token;
        }
        return EvaluateAsync("extendLocks-1", _stalledKeys, args);
    }

    public Task<RedisResult> MoveStalledJobsToWaitAsync(int maxStalledCount, long now, long stalledIntervalMs) =>
        EvaluateAsync("moveStalledJobsToWait-8", _stalledCheckKeys, [_base, maxStalledCount, now, stalledIntervalMs]);

    public Task<RedisResult> UpdateProgressAsync(string jobId, string progressJson) =>
        EvaluateAsync("updateProgress-3", [Keys.Job(jobId), Keys.Events, Keys.Meta], [jobId, progressJson]);

    public Task<RedisResult> AddLogAsync(string jobId, string line, int keepLogs) =>
        EvaluateAsync("addLog-2", [Keys.Job(jobId), Keys.Logs(jobId)], [line, keepLogs]);

    public Task<RedisResult> PauseAsync(bool pause) =>
        EvaluateAsync("pause-7", _pauseKeys, [pause ? "paused" : "resumed"]);

    public Task<RedisResult> PromoteAsync(string jobId, long now) =>
        EvaluateAsync("promote-8", _promoteKeys, [_base, jobId, now]);

    public Task<RedisResult> ReprocessJobAsync(string jobId, JobState finishedState, long now) =>
        EvaluateAsync("reprocessJob-6",
            [Keys.StateKey(finishedState), Keys.Wait, Keys.Meta, Keys.Active, Keys.Marker, Keys.Events],
            [_base, jobId, finishedState == JobState.Completed ? "completed" : "failed", now]);

    public Task<RedisResult> RemoveJobAsync(string jobId) =>
        EvaluateAsync("removeJob-10", _removeKeys, [_base, jobId]);

    public Task<RedisResult> CleanJobsInSetAsync(JobState state, long maxTimestamp, int limit) =>
        EvaluateAsync("cleanJobsInSet-3", [Keys.StateKey(state), Keys.Events, Keys.Repeat],
            [_base, maxTimestamp, limit, state switch
            {
                JobState.Completed or JobState.Failed => "finished",
                JobState.Prioritized => "created",
                _ => "attempted",
            }]);

    public Task<RedisResult> DrainAsync(bool includeDelayed) =>
        EvaluateAsync("drain-5", _drainKeys, [_base, includeDelayed ? One : Zero]);

    public Task<RedisResult> GetCountsAsync() => EvaluateAsync("getCounts-8", _countKeys, []);

    public Task<RedisResult> GetOldestWaitingAsync() => EvaluateAsync("getOldestWaiting-2", _waitingKeys, [_base]);

    public Task<RedisResult> GetStateAsync(string jobId) => EvaluateAsync("getState-8", _stateKeys, [jobId]);

    public Task<RedisResult> AddJobSchedulerAsync(string schedulerId, long millis, string name, string data, string templateOpts,
        string? pattern, long every, string? timeZone, int limit, long now, string iterationOpts) =>
        EvaluateAsync("addJobScheduler-10", _schedulerKeys,
        [
            _base, schedulerId, millis, name, data, templateOpts, pattern ?? Empty, every, timeZone ?? Empty, limit, now, iterationOpts,
        ]);

    public Task<RedisResult> UpdateJobSchedulerAsync(string schedulerId, long currentMillis, long nextMillis, long now, string iterationOpts) =>
        EvaluateAsync("updateJobScheduler-10", _schedulerKeys, [_base, schedulerId, currentMillis, nextMillis, now, iterationOpts]);

    public Task<RedisResult> RemoveJobSchedulerAsync(string schedulerId) =>
        EvaluateAsync("removeJobScheduler-10", _schedulerKeys, [_base, schedulerId]);

    private Task<RedisResult> EvaluateAsync(string name, RedisKey[] keys, RedisValue[] args)
    {
        if (!_redis.IsConnected)
        {
            throw new RedisUnavailableException($"Redis is unreachable ({_redis.Configuration}): cannot run '{name}' on queue '{Keys.QueueName}'.");
        }
        var script = Load(name);
        var preload = Preloads.GetValue(_redis, redis => LoadAllAsync(redis));
        if (!preload.IsCompleted)
        {
            return EvaluateAfterPreloadAsync(preload, script, keys, args);
        }
        return WithReload(_db.ScriptEvaluateAsync(script.Sha, keys, args), script, keys, args);
    }

    private async Task<RedisResult> EvaluateAfterPreloadAsync(Task preload, Script script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            await preload.ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // A failed preload only costs a NOSCRIPT round trip later.
            Preloads.Remove(_redis);
        }
        return await WithReload(_db.ScriptEvaluateAsync(script.Sha, keys, args), script, keys, args).ConfigureAwait(false);
    }

    // SCRIPT LOAD of every queue script once per connection, before the first call needs it.
    private static async Task LoadAllAsync(IConnectionMultiplexer redis)
    {
        foreach (var name in AllScripts)
        {
            await LoadEverywhereAsync(redis, Load(name)).ConfigureAwait(false);
        }
    }

    // A restarted or flushed server forgets loaded scripts: EVAL once (which caches it again), then EVALSHA resumes.
    private async Task<RedisResult> WithReload(Task<RedisResult> call, Script script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            await LoadEverywhereAsync(_redis, script).ConfigureAwait(false);
            try
            {
                return await _db.ScriptEvaluateAsync(script.Sha, keys, args).ConfigureAwait(false);
            }
            catch (RedisServerException again) when (again.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // A node that was not reachable for SCRIPT LOAD: EVAL runs it and caches it there.
                return await _db.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
            }
        }
        catch (RedisConnectionException e)
        {
            throw new RedisUnavailableException($"Redis is unreachable ({_redis.Configuration}): {e.Message}", e);
        }
        catch (RedisTimeoutException e)
        {
            throw new RedisUnavailableException($"Redis did not answer in time ({_redis.Configuration}): {e.Message}", e);
        }
    }

    // SCRIPT LOAD on every primary, so a cluster's nodes all know the script by its SHA.
    private static async Task LoadEverywhereAsync(IConnectionMultiplexer redis, Script script)
    {
        foreach (var server in redis.GetServers())
        {
            if (server.IsConnected && !server.IsReplica)
            {
                await server.ScriptLoadAsync(script.Text).ConfigureAwait(false);
            }
        }
    }

    private static Script Load(string name) => Cache.GetOrAdd(name, static n =>
    {
        var text = Inline(ReadResource($"{n}.lua"));
        return new Script(text, SHA1.HashData(Encoding.UTF8.GetBytes(text)));
    });

    private static string Inline(string text)
    {
        var builder = new StringBuilder(text.Length * 2);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("--@include ", StringComparison.Ordinal))
            {
                builder.Append(ReadResource($"Includes.{line["--@include ".Length..].Trim()}.lua")).Append('\n');
            }
            else
            {
                builder.Append(line).Append('\n');
            }
        }
        return builder.ToString();
    }

    private static string ReadResource(string name)
    {
        var resource = ResourcePrefix + name;
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded script '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private const string ResourcePrefix = "BotSystem.JobEngine.Scripts.";

    /// <summary>Queue scripts are named <c>operation-numberOfKeys</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z]+-[0-9]+$")]
    private static partial Regex QueueScriptName();

    private sealed record Script(string Text, byte[] Sha);
}
