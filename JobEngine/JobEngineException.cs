namespace BotSystem.JobEngine;

/// <summary>The engine could not do what was asked, e.g. Redis is unreachable or a job is not in the required state.</summary>
public class JobEngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobEngineException() { }

    /// <summary>Creates the exception with a message.</summary>
    public JobEngineException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public JobEngineException(string message, Exception innerException) : base(message, innerException) { }
}
