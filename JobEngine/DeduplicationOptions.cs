namespace BotSystem.JobEngine;

/// <summary>Deduplication of adds by id.</summary>
/// <param name="Id">Jobs sharing it are one job while the owner lives.</param>
/// <param name="Ttl">When set, the id is reserved for this long (or until the owner is removed) instead of for the owner's life.</param>
public sealed record DeduplicationOptions(string Id, TimeSpan? Ttl = null);
