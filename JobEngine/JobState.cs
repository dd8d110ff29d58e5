namespace BotSystem.JobEngine;

/// <summary>The state a job is in, one per Redis container.</summary>
public enum JobState
{
    /// <summary>In the <c>wait</c> list, ready to run.</summary>
    Waiting,
    /// <summary>Being processed under a lock.</summary>
    Active,
    /// <summary>Waiting for its due time.</summary>
    Delayed,
    /// <summary>Ready, ordered by priority.</summary>
    Prioritized,
    /// <summary>Finished successfully.</summary>
    Completed,
    /// <summary>Failed for good.</summary>
    Failed,
    /// <summary>A flow parent waiting for its children.</summary>
    WaitingChildren,
    /// <summary>Not found in any state.</summary>
    Unknown,
}
