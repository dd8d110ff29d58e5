using System.ComponentModel.DataAnnotations;

namespace BotSystem.MockWebhook;

/// <summary>The receiver's settings, section <c>MockWebhook</c>.</summary>
public sealed class MockWebhookOptions
{
    public const string Section = "MockWebhook";

    /// <summary>The <c>whsec_</c> secret deliveries are verified with; without one no signature is valid.</summary>
    public string? Secret { get; set; }

    /// <summary>How far a <c>webhook-timestamp</c> may be from now.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TimestampTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long <c>/test/timeout</c> keeps the sender waiting; longer than any sender's timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TimeoutSleep { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many deliveries are kept for <c>GET /deliveries</c>; statistics count all of them.</summary>
    [Range(1, 1_000_000)]
    public int MaxRecordedDeliveries { get; set; } = 10_000;

    /// <summary>
    /// How many distinct <c>webhook-id</c>s are remembered to count duplicates, so a receiver left running keeps a
    /// bounded memory; beyond it the oldest are forgotten, and a repeat of one of those counts as unique.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxTrackedIds { get; set; } = 1_000_000;
}
