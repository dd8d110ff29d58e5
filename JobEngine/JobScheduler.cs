namespace BotSystem.JobEngine;

/// <summary>A stored job scheduler.</summary>
/// <param name="Id">Scheduler id.</param>
/// <param name="JobName">Name of the jobs it creates.</param>
/// <param name="Pattern">Cron pattern, if any.</param>
/// <param name="Every">Interval, if any.</param>
/// <param name="Next">Time of the pending run.</param>
/// <param name="Iterations">Runs created so far.</param>
public sealed record JobScheduler(string Id, string JobName, string? Pattern, TimeSpan? Every, DateTimeOffset? Next, int Iterations);
