namespace BotSystem.JobEngine;

/// <summary>A validated job with its JSON encoded, ready for the add script.</summary>
internal sealed record PreparedJob(string? CustomId, string Name, string Data, string Opts, long Timestamp, long Delay,
    int Priority, bool Lifo, string? DeduplicationId, long DeduplicationTtl);
