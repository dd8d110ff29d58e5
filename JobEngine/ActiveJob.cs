using System.Text.Json;

namespace BotSystem.JobEngine;

/// <summary>Handed to the processor: the job plus what the processor may do with it while it holds the lock.</summary>
public sealed class ActiveJob
{
    private readonly RedisScripts _scripts;

    internal ActiveJob(Job job, string token, RedisScripts scripts)
    {
        Job = job;
        Token = token;
        _scripts = scripts;
    }

    /// <summary>The job being processed.</summary>
    public Job Job { get; }

    /// <summary>The lock token this worker holds the job with.</summary>
    public string Token { get; }

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
