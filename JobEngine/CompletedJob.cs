namespace BotSystem.JobEngine;

/// <summary>A job a worker completes, as the completing script needs it.</summary>
internal readonly record struct CompletedJob(string JobId, string ReturnJson, string Token, KeepPolicy Keep);
