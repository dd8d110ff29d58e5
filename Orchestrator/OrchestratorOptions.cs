using System.ComponentModel.DataAnnotations;
using BotSystem.Contracts;

namespace BotSystem.Orchestrator;

/// <summary>
/// Limits per bot type keep the original environment names (<c>MAX_PYTHON_BOTS</c>, ...); the rest
/// is in the <c>Orchestrator</c> section.
/// </summary>
public sealed class OrchestratorOptions
{
    public const string SectionName = "Orchestrator";

    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 200;

    [Range(1, 10_000)]
    public int MaxPythonBots { get; set; } = BotLimits.Of(BotTypes.Python).Default;

    [Range(1, 10_000)]
    public int MaxNodeBots { get; set; } = BotLimits.Of(BotTypes.Node).Default;

    [Range(1, 10_000)]
    public int MaxJavaBots { get; set; } = BotLimits.Of(BotTypes.Java).Default;

    /// <summary>How long the permit of a crashed orchestrator stays taken once no runner renews it (its bot has ended).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How soon an invocation of a killed orchestrator is picked up by another.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StalledInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an invocation that cannot go on yet (its ordering line's turn has not come, or its type's share of
    /// orchestrations waiting for a permit is taken) stays out of the queue, holding no slot, before it is taken up again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan DeferDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan ProgressPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Finished jobs kept per queue; at least <see cref="LargestLimit"/>: as many bots of a type as its limit may end
    /// before their orchestrations read how they ended from their jobs.
    /// </summary>
    [Range(1, 1_000_000)]
    public int KeepFinishedJobs { get; set; } = 10_000;

    [Range(1, 100)]
    public int BotAttempts { get; set; } = 3;

    public int LargestLimit => BotTypes.All.Max(LimitOf);

    public int LimitOf(string botType) => botType switch
    {
        BotTypes.Python => MaxPythonBots,
        BotTypes.Node => MaxNodeBots,
        BotTypes.Java => MaxJavaBots,
        _ => throw new ArgumentOutOfRangeException(nameof(botType), botType, "Unknown bot type."),
    };
}
