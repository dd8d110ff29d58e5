using System.Text.Json.Nodes;

namespace BotSystem.Contracts;

/// <summary>The data of a job in the <c>invocations</c> queue; its job id is the invocation id.</summary>
public sealed record InvocationJobData
{
    public required string ClientId { get; init; }
    public required string BotType { get; init; }
    public required string Bot { get; init; }
    public required JsonObject Payload { get; init; }
    public required string WebhookUrl { get; init; }
    public int Priority { get; init; } = 1;
    public int TimeoutSeconds { get; init; }
    public string? OrderingKey { get; init; }
}
