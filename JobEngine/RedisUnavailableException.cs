namespace BotSystem.JobEngine;

/// <summary>Redis could not be reached or did not answer in time; the same call may succeed once it is back.</summary>
public sealed class RedisUnavailableException : JobEngineException
{
    /// <summary>Creates the exception with a message.</summary>
    public RedisUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the client's error.</summary>
    public RedisUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
