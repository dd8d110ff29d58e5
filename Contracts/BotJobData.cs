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
}
