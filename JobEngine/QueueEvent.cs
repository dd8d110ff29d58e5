namespace BotSystem.JobEngine;

/// <summary>One entry of the queue's event stream.</summary>
/// <param name="Id">Stream entry id.</param>
/// <param name="Name">Event name (waiting, active, completed, failed, ...).</param>
/// <param name="JobId">The job it concerns, if any.</param>
/// <param name="Fields">All fields except <c>event</c>.</param>
public sealed record QueueEvent(string Id, string Name, string? JobId, IReadOnlyDictionary<string, string> Fields);
