using System.Collections.Concurrent;

namespace BotSystem.JobEngine;

/// <summary>
/// The callers of <see cref="QueueEvents.WaitUntilFinishedAsync"/> per job id, told of the job's <c>completed</c> or
/// <c>failed</c> event. A job's entry goes once its last waiter leaves, so ids waited for once are not kept for good.
/// </summary>
internal sealed class FinishWaiters
{
    private readonly ConcurrentDictionary<string, List<TaskCompletionSource<QueueEvent>>> _byJob = new();

    /// <summary>A waiter for <paramref name="jobId"/>; dispose it when done waiting.</summary>
    public Registration Add(string jobId)
    {
        var waiter = new TaskCompletionSource<QueueEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        while (true)
        {
            var list = _byJob.GetOrAdd(jobId, _ => []);
            lock (list)
            {
                // A list is dropped under its lock when it empties; one got just before that is no longer seen by Notify.
                if (_byJob.TryGetValue(jobId, out var current) && ReferenceEquals(current, list))
                {
                    list.Add(waiter);
                    return new Registration(this, jobId, list, waiter);
                }
            }
        }
    }

    /// <summary>Hands <paramref name="finished"/> to every waiter of <paramref name="jobId"/>.</summary>
    public void Notify(string jobId, QueueEvent finished)
    {
        if (!_byJob.TryGetValue(jobId, out var list))
        {
            return;
        }
        lock (list)
        {
            foreach (var waiter in list)
            {
                waiter.TrySetResult(finished);
            }
        }
    }

    private void Remove(string jobId, List<TaskCompletionSource<QueueEvent>> list, TaskCompletionSource<QueueEvent> waiter)
    {
        lock (list)
        {
            list.Remove(waiter);
            if (list.Count == 0)
            {
                _byJob.TryRemove(new KeyValuePair<string, List<TaskCompletionSource<QueueEvent>>>(jobId, list));
            }
        }
    }

    /// <summary>One waiter; disposing it unregisters it.</summary>
    public sealed class Registration(FinishWaiters owner, string jobId, List<TaskCompletionSource<QueueEvent>> list, TaskCompletionSource<QueueEvent> waiter)
        : IDisposable
    {
        /// <summary>Completes with the job's <c>completed</c> or <c>failed</c> event.</summary>
        public Task<QueueEvent> Finished => waiter.Task;

        public void Dispose() => owner.Remove(jobId, list, waiter);
    }
}
