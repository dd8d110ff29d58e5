namespace BotSystem.JobEngine;

/// <summary>Processes one job; its result is stored as the job's return value.</summary>
/// <param name="job">The job and what may be done with it while the lock is held.</param>
/// <param name="cancellationToken">Fires when the lock is lost or the close deadline passes.</param>
public delegate Task<object?> JobProcessor(ActiveJob job, CancellationToken cancellationToken);
