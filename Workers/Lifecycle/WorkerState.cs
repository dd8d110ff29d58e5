namespace BotSystem.Workers.Lifecycle;

/// <summary>The lifecycle of a runner process; jobs are claimed only in READY and PROCESSING.</summary>
public enum WorkerState
{
    INITIALIZING,
    REGISTERING,
    HEALTH_CHECK,
    READY,
    PROCESSING,
    ERROR,
    SHUTTING_DOWN,
    STOPPED,
}
