namespace BotSystem.JobEngine;

/// <summary>A job's data, serialized, is larger than its queue takes (<see cref="QueueOptions.MaxJobDataBytes"/>).</summary>
public sealed class JobDataTooLargeException : ArgumentException
{
    /// <summary>Creates the exception for data of <paramref name="bytes"/> against a limit of <paramref name="maxBytes"/>.</summary>
    public JobDataTooLargeException(int bytes, int maxBytes)
        : base($"Job data is {bytes} bytes, over the limit of {maxBytes} bytes (QueueOptions.MaxJobDataBytes).", "data")
    {
        Bytes = bytes;
        MaxBytes = maxBytes;
    }

    /// <summary>The size of the data as JSON in UTF-8.</summary>
    public int Bytes { get; }

    /// <summary>The queue's limit.</summary>
    public int MaxBytes { get; }
}
