using System.Text.Json.Nodes;

namespace BotSystem.Contracts;

/// <summary>
/// The data of a job in the <c>invocations</c> queue; its job id is the invocation id, except for the runs of a
/// schedule, whose invocation id is derived from the run's job id (<see cref="InvocationIds"/>).
/// </summary>
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

    /// <summary>The schedule that started this invocation, if any.</summary>
    public string? ScheduleId { get; init; }
}
