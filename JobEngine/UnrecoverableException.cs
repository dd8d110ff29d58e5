namespace BotSystem.JobEngine;

/// <summary>Thrown by a processor to fail the job at once, without further attempts.</summary>
public class UnrecoverableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnrecoverableException() { }

    /// <summary>Creates the exception with a message stored as the job's failed reason.</summary>
    public UnrecoverableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnrecoverableException(string message, Exception innerException) : base(message, innerException) { }
}
