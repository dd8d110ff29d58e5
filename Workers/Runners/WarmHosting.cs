namespace BotSystem.Workers.Runners;

/// <summary>How a warm bot is hosted: hosts with the same key are interchangeable; each serves at most <paramref name="MaxJobs"/> jobs.</summary>
public sealed record WarmHosting(string Key, int MaxJobs);
