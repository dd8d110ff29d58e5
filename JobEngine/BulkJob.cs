namespace BotSystem.JobEngine;

/// <summary>One job of <see cref="Queue.AddBulkAsync"/>.</summary>
/// <param name="Name">Job name, read by the processor.</param>
/// <param name="Data">Payload, serialized to JSON.</param>
/// <param name="Options">Per-job options; defaults when null.</param>
public sealed record BulkJob(string Name, object? Data, JobOptions? Options = null);
