using System.Text.Json;

namespace BotSystem.JobEngine;

/// <summary>Handed to the processor: the job plus what the processor may do with it while it holds the lock.</summary>
public sealed class ActiveJob
{
    private readonly RedisScripts _scripts;
    private readonly IDelayedMoves _moves;

    internal ActiveJob(Job job, string token, RedisScripts scripts, IDelayedMoves moves)
    {
        Job = job;
        Token = token;
        _scripts = scripts;
        _moves = moves;
    }

    /// <summary>Told by <see cref="MoveToDelayedAsync"/> as it moves the job, which takes the job's lock with it.</summary>
    internal interface IDelayedMoves
    {
        void Moving();

        void Moved();
    }

    /// <summary>The job being processed.</summary>
    public Job Job { get; }

    /// <summary>The lock token this worker holds the job with.</summary>
    public string Token { get; }

    /// <summary>
    /// The job's data as <typeparamref name="T"/>. Data that is missing or is not a <typeparamref name="T"/> (a producer
    /// of another version, a hand-made job) fails the job at once: no retry can make it readable.
    /// </summary>
    /// <exception cref="UnrecoverableException">The data is missing or not a <typeparamref name="T"/>.</exception>
    public T ReadData<T>(JsonSerializerOptions? options = null) where T : class
    {
        try
        {
            return Job.Data.Deserialize<T>(options) ?? throw new UnrecoverableException($"Job '{Job.Id}' has no data.");
        }
        catch (JsonException e)
        {
            throw new UnrecoverableException($"The data of job '{Job.Id}' is not a {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>Stores progress (a number 0..100 or an object) and emits a <c>progress</c> event.</summary>
    /// <exception cref="ArgumentException">The progress does not serialize to JSON.</exception>
    public async Task UpdateProgressAsync(object progress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(progress);
        string json;
        try
        {
            json = JsonSerializer.Serialize(progress, progress.GetType());
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"Progress of type {progress.GetType().Name} cannot be serialized to JSON: {e.Message}", nameof(progress), e);
        }
        var code = (long)await _scripts.UpdateProgressAsync(Job.Id, json).WaitAsync(ct).ConfigureAwait(false);
        if (code == -1)
        {
            throw new JobEngineException($"Job '{Job.Id}' no longer exists.");
        }
    }

    /// <summary>
    /// Moves the job back to delayed for <paramref name="delay"/> without counting an attempt; it runs again, with
    /// <see cref="Job.AttemptsStarted"/> one higher, when the delay is over. What the processor returns afterwards is
    /// ignored (BullMQ's <c>job.moveToDelayed</c> followed by a <c>DelayedError</c>).
    /// </summary>
    /// <exception cref="JobEngineException">The job no longer exists or its lock was lost.</exception>
    public async Task MoveToDelayedAsync(TimeSpan delay, CancellationToken ct = default)
    {
        var delayMs = Math.Max(0, (long)delay.TotalMilliseconds);
        _moves.Moving();
        var code = (long)await _scripts.DelayActiveJobAsync(Job.Id, Token, Queue.Now(), delayMs).WaitAsync(ct).ConfigureAwait(false);
        if (code < 0)
        {
            throw new JobEngineException($"Job '{Job.Id}' cannot be moved to delayed (code {code}): it no longer exists, is not active, or its lock was lost.");
        }
        _moves.Moved();
    }

    /// <summary>Appends a line to the job's log; returns the number of lines kept.</summary>
    public async Task<long> AddLogAsync(string line, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(line);
        var count = (long)await _scripts.AddLogAsync(Job.Id, line, Job.KeepLogs).WaitAsync(ct).ConfigureAwait(false);
        if (count == -1)
        {
            throw new JobEngineException($"Job '{Job.Id}' no longer exists.");
        }
        return count;
    }
}
