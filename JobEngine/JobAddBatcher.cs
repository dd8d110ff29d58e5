namespace BotSystem.JobEngine;

/// <summary>
/// Sends the adds of one queue to Redis together: while one call of the add script is on its way, the adds that
/// arrive wait for it and then go in the next call. At rest each add leaves at once; under load one call carries
/// many jobs, and Redis pays a script call's fixed cost once for them all.
/// </summary>
internal sealed class JobAddBatcher(RedisScripts scripts)
{
    // Bounds one call, so a burst never makes a script that blocks Redis for long or outgrows a request.
    private const int MaxJobsPerCall = 100;
    private const long MaxBytesPerCall = 1 << 20;

    private readonly Lock _gate = new();
    private readonly Queue<PendingAdd> _waiting = new();
    private bool _sending;

    private sealed record PendingAdd(PreparedJob Job, TaskCompletionSource<string> Id);

    /// <summary>Adds a job; the id comes back when the call that carried it is answered.</summary>
    public Task<string> AddAsync(PreparedJob job)
    {
        var pending = new PendingAdd(job, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            _waiting.Enqueue(pending);
            if (_sending)
            {
                return pending.Id.Task;
            }
            _sending = true;
        }
        _ = SendWhileWaitingAsync();
        return pending.Id.Task;
    }

    private async Task SendWhileWaitingAsync()
    {
        while (NextCall() is { } call)
        {
            try
            {
                var ids = (string[])(await scripts.AddJobsAsync(call.ConvertAll(add => add.Job)).ConfigureAwait(false))!;
                for (var i = 0; i < call.Count; i++)
                {
                    call[i].Id.SetResult(ids[i]);
                }
            }
            catch (Exception e)
            {
                // Whatever stopped the call (Redis unreachable, a refusal) is each of its adds' failure.
                foreach (var add in call)
                {
                    add.Id.TrySetException(e);
                }
            }
        }
    }

    private List<PendingAdd>? NextCall()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _sending = false;
                return null;
            }
            var call = new List<PendingAdd>();
            long bytes = 0;
            while (_waiting.TryPeek(out var next) && call.Count < MaxJobsPerCall && (call.Count == 0 || bytes + next.Job.Data.Length <= MaxBytesPerCall))
            {
                call.Add(_waiting.Dequeue());
                bytes += next.Job.Data.Length;
            }
            return call;
        }
    }
}
