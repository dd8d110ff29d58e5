using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Reads a queue's event stream (<c>XREAD BLOCK</c> on a connection of its own), as BullMQ's QueueEvents does.</summary>
public sealed class QueueEvents : IAsyncDisposable
{
    private static readonly TimeSpan Block = TimeSpan.FromSeconds(5);

    private readonly IConnectionMultiplexer _redis;
    private readonly QueueKeys _keys;
    private readonly FinishWaiters _finishWaiters = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly SemaphoreSlim _pumpStart = new(1, 1);
    private readonly List<ConnectionMultiplexer> _connections = [];
    private Task? _pump;

    /// <summary>Listens to queue <paramref name="queueName"/>.</summary>
    public QueueEvents(string queueName, IConnectionMultiplexer redis, string prefix = "bull")
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _keys = new QueueKeys(prefix, queueName);
    }

    /// <summary>Events after <paramref name="fromId"/> (<c>$</c> = only new ones, <c>0</c> = all kept), until cancelled.</summary>
    public async IAsyncEnumerable<QueueEvent> ReadAllAsync(string fromId = "$", [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
        var connection = await OpenAsync().ConfigureAwait(false);
        try
        {
            var lastId = fromId == "$" ? await LastIdAsync().ConfigureAwait(false) : fromId;
            while (!linked.IsCancellationRequested)
            {
                IReadOnlyList<QueueEvent> batch;
                try
                {
                    batch = await ReadBatchAsync(connection, lastId, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
                {
                    // Redis went away: the dedicated connection reconnects by itself; resume from the last id seen.
                    await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                foreach (var queueEvent in batch)
                {
                    lastId = queueEvent.Id;
                    yield return queueEvent;
                }
            }
        }
        finally
        {
            await CloseAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the job completes (returns it) or fails (throws <see cref="JobFailedException"/> with its failed reason).</summary>
    /// <exception cref="TimeoutException">The job did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="JobEngineException">The job does not exist (never added, or already removed).</exception>
    public async Task<Job> WaitUntilFinishedAsync(string jobId, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        using var waiter = _finishWaiters.Add(jobId);
        await EnsurePumpAsync().ConfigureAwait(false);
        var queue = new Queue(_keys.QueueName, _redis, new QueueOptions { Prefix = _keys.Prefix });
        var state = await queue.GetJobStateAsync(jobId, ct).ConfigureAwait(false);
        if (state is JobState.Completed or JobState.Failed)
        {
            return Finished(await queue.GetJobAsync(jobId, ct).ConfigureAwait(false), jobId, state == JobState.Failed);
        }
        // A job missing once the wait listens would never send the event waited for, so the wait fails at once, as BullMQ's
        // waitUntilFinished does; one added between the two reads exists here, and one removed as it finished is answered
        // by its event if that has come (in BullMQ too the first of the two settles the wait).
        if (state == JobState.Unknown && !await _redis.GetDatabase().KeyExistsAsync(_keys.Job(jobId)).WaitAsync(ct).ConfigureAwait(false)
            && !waiter.Finished.IsCompleted)
        {
            throw new JobEngineException($"Job '{jobId}' does not exist in queue '{_keys.QueueName}'.");
        }
        QueueEvent finished;
        try
        {
            finished = await waiter.Finished.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Job '{jobId}' did not finish within {timeout}.");
        }
        if (finished.Name == "failed")
        {
            throw new JobFailedException(finished.Fields.GetValueOrDefault("failedReason") ?? "");
        }
        return await queue.GetJobAsync(jobId, ct).ConfigureAwait(false)
            ?? Job.FromCompletedEvent(jobId, _keys.QueueName, finished.Fields.GetValueOrDefault("returnvalue"));
    }

    /// <summary>Stops every reader and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            try
            {
                await _pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        List<ConnectionMultiplexer> connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        foreach (var connection in connections)
        {
            await CloseAsync(connection).ConfigureAwait(false);
        }
        _pumpStart.Dispose();
    }

    private static Job Finished(Job? job, string jobId, bool failed)
    {
        if (job is null)
        {
            throw new JobEngineException($"Job '{jobId}' finished but was removed (removeOnComplete/removeOnFail).");
        }
        if (failed)
        {
            throw new JobFailedException(job.FailedReason ?? "");
        }
        return job;
    }

    private async Task EnsurePumpAsync()
    {
        if (_pump is not null)
        {
            return;
        }
        await _pumpStart.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_pump is null)
            {
                var connection = await OpenAsync().ConfigureAwait(false);
                var startId = await LastIdAsync().ConfigureAwait(false);
                _pump = Task.Run(() => PumpAsync(connection, startId));
            }
        }
        finally
        {
            _pumpStart.Release();
        }
    }

    private async Task PumpAsync(ConnectionMultiplexer connection, string lastId)
    {
        var failures = 0;
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                foreach (var queueEvent in await ReadBatchAsync(connection, lastId, _disposed.Token).ConfigureAwait(false))
                {
                    lastId = queueEvent.Id;
                    if (queueEvent.Name is "completed" or "failed" && queueEvent.JobId is { } jobId)
                    {
                        _finishWaiters.Notify(jobId, queueEvent);
                    }
                }
                failures = 0;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                failures++;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, failures))), _disposed.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<QueueEvent>> ReadBatchAsync(ConnectionMultiplexer connection, string lastId, CancellationToken ct)
    {
        var reply = await connection.GetDatabase()
            .ExecuteAsync("XREAD", "COUNT", 1000, "BLOCK", (long)Block.TotalMilliseconds, "STREAMS", _keys.Events, lastId)
            .WaitAsync(ct).ConfigureAwait(false);
        if (reply.IsNull)
        {
            return [];
        }
        // RESP3 answers a map (key, entries); RESP2 an array of [key, entries] pairs.
        var streams = (RedisResult[])reply!;
        var entries = reply.Resp3Type == ResultType.Map
            ? (RedisResult[])streams[1]!
            : (RedisResult[])((RedisResult[])streams[0]!)[1]!;
        var events = new List<QueueEvent>(entries.Length);
        foreach (var entry in entries)
        {
            var parts = (RedisResult[])entry!;
            var values = (RedisResult[])parts[1]!;
            var fields = new Dictionary<string, string>(values.Length / 2);
            string name = "";
            for (var i = 0; i + 1 < values.Length; i += 2)
            {
                var field = (string)values[i]!;
                var value = (string?)values[i + 1] ?? "";
                if (field == "event")
                {
                    name = value;
                }
                else
                {
                    fields[field] = value;
                }
            }
            events.Add(new QueueEvent((string)parts[0]!, name, fields.GetValueOrDefault("jobId"), fields));
        }
        return events;
    }

    private async Task<string> LastIdAsync()
    {
        var last = await _redis.GetDatabase().StreamRangeAsync(_keys.Events, "-", "+", 1, Order.Descending).ConfigureAwait(false);
        return last.Length == 0 ? "0-0" : (string)last[0].Id!;
    }

    private async Task CloseAsync(ConnectionMultiplexer connection)
    {
        lock (_connections)
        {
            if (!_connections.Remove(connection))
            {
                return;
            }
        }
        // A pending XREAD BLOCK must not hold the close up.
        await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ConnectionMultiplexer> OpenAsync()
    {
        var connection = await DedicatedConnection.OpenAsync(_redis, $"{_keys.ClientName}:qe").ConfigureAwait(false);
        lock (_connections)
        {
            _connections.Add(connection);
        }
        return connection;
    }
}
