using System.Text.Json.Nodes;

namespace BotSystem.Contracts;

/// <summary>The return value a runner stores on a completed bot job.</summary>
public sealed record BotRunResult
{
    public JsonNode? Result { get; init; }
    public long DurationMs { get; init; }
    public long PeakMemoryBytes { get; init; }
    public int ExitCode { get; init; }
}
