namespace BotSystem.Workers.Runners;

/// <summary>How a run's process side ended: stopped by the runner, or its exit code (none while a warm host lives on).</summary>
internal sealed record BotRunEnd(
    bool Cancelled,
    bool TimedOut,
    TimeSpan Timeout,
    int? ExitCode,
    string ErrorSummary,
    TimeSpan Duration,
    long PeakMemoryBytes,
    int ProcessId);
