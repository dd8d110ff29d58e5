namespace BotSystem.JobEngine;

/// <summary>A snapshot of a semaphore: its limit, the leases held and the callers waiting.</summary>
public sealed record SemaphoreCounts(int Limit, int Holders, int Waiters);
