using System.Text.Json.Nodes;

namespace BotSystem.Contracts;

/// <summary>
/// The data of a job in a <c>bots-&lt;type&gt;</c> queue. Its job id is the invocation id, so a
/// retried orchestration re-attaches to the running bot instead of starting it again.
/// </summary>
public sealed record BotJobData
{
    public required string InvocationId { get; init; }
    public required string BotType { get; init; }
    public required string Bot { get; init; }
    public required JsonObject Payload { get; init; }
    public int TimeoutSeconds { get; init; }

    /// <summary>
    /// The token of the semaphore permit the orchestrator took for this run. The runner renews it too while the bot
    /// runs, so it stays taken should that orchestrator be killed or cut off Redis meanwhile.
    /// </summary>
    public string? PermitToken { get; init; }
}
