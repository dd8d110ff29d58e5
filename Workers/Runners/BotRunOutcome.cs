using System.Text.Json.Nodes;

namespace BotSystem.Workers.Runners;

/// <summary>How a bot run ended.</summary>
public enum BotRunStatus { Completed, Failed, TimedOut, Crashed, ProtocolViolation, Cancelled }

/// <summary>The result of one bot run, with what the runner measured and the process (cold bot or warm host) that ran it.</summary>
public sealed record BotRunOutcome(
    BotRunStatus Status,
    JsonNode? Result,
    string? Error,
    bool Retryable,
    int? ExitCode,
    TimeSpan Duration,
    long PeakMemoryBytes,
    bool OutputTruncated,
    int ProcessId);
