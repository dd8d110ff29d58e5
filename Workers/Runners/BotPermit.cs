using BotSystem.JobEngine;

namespace BotSystem.Workers.Runners;

/// <summary>What a runner holds of a bot's permit: a lease it renews, none to renew, or one that ran out before the bot started.</summary>
public sealed record BotPermit(SemaphoreLease? Lease, bool HasLapsed = false)
{
    public static readonly BotPermit None = new(Lease: null);

    public static readonly BotPermit Lapsed = new(Lease: null, HasLapsed: true);
}
