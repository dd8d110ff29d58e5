namespace BotSystem.JobEngine;

/// <summary>The awaited job failed; the message is its failed reason.</summary>
public class JobFailedException : JobEngineException
{
    /// <summary>Creates the exception.</summary>
    public JobFailedException() { }

    /// <summary>Creates the exception with the job's failed reason.</summary>
    public JobFailedException(string failedReason) : base(failedReason) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public JobFailedException(string message, Exception innerException) : base(message, innerException) { }
}
