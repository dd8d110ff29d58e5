using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BotSystem.JobEngine;

/// <summary>Checks and encodes a job before it reaches Redis, so bad input fails with an <see cref="ArgumentException"/> naming the problem.</summary>
internal static class JobValidation
{
    public const int MaxPriority = 2_097_151;

    // Non-ASCII and HTML-sensitive characters are written as themselves, not as six-byte \uXXXX escapes that made data
    // up to three times its size; the JSON is as valid, and the dashboards that show it set it as text, not markup.
    private static readonly JsonSerializerOptions DataJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static PreparedJob Prepare(string jobName, object? data, JobOptions? options, int maxJobDataBytes, long now)
    {
        ArgumentNullException.ThrowIfNull(jobName);
        options = JobTelemetry.WithCurrentContext(options ?? new JobOptions());
        var json = SerializeData(data, maxJobDataBytes);
        if (options.Delay < TimeSpan.Zero)
        {
            throw new ArgumentException($"Delay must not be negative (got {options.Delay}).", nameof(options));
        }
        if (options.Attempts < 1)
        {
            throw new ArgumentException($"Attempts must be at least 1 (got {options.Attempts}).", nameof(options));
        }
        if (options.Priority is < 0 or > MaxPriority)
        {
            throw new ArgumentException($"Priority must be between 0 and {MaxPriority} (got {options.Priority}).", nameof(options));
        }
        if (options.Backoff is { } backoff && (backoff.Delay < TimeSpan.Zero || backoff.Jitter is < 0 or > 1))
        {
            throw new ArgumentException("Backoff delay must not be negative and its jitter must be between 0 and 1.", nameof(options));
        }
        if (options.JobId is { } jobId)
        {
            ValidateJobId(jobId);
        }
        if (options.Deduplication is { } dedup && (string.IsNullOrEmpty(dedup.Id) || dedup.Ttl < TimeSpan.Zero))
        {
            throw new ArgumentException("Deduplication id must not be empty and its TTL must not be negative.", nameof(options));
        }
        var timestamp = options.Timestamp ?? now;
        return new PreparedJob(options.JobId, jobName, json, JobOptionsCodec.Encode(options), timestamp,
            (long)options.Delay.TotalMilliseconds, options.Priority, options.Lifo, options.Deduplication?.Id,
            (long)(options.Deduplication?.Ttl?.TotalMilliseconds ?? 0));
    }

    public static string SerializeData(object? data, int maxJobDataBytes)
    {
        if (data is null)
        {
            return "{}";
        }
        byte[] utf8;
        try
        {
            utf8 = data is JsonElement element ? JsonSerializer.SerializeToUtf8Bytes(element, DataJson) : JsonSerializer.SerializeToUtf8Bytes(data, data.GetType(), DataJson);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"Job data of type {data.GetType().Name} cannot be serialized to JSON: {e.Message}", nameof(data), e);
        }
        if (utf8.Length > maxJobDataBytes)
        {
            throw new JobDataTooLargeException(utf8.Length, maxJobDataBytes);
        }
        return System.Text.Encoding.UTF8.GetString(utf8);
    }

    public static void ValidateJobId(string jobId)
    {
        if (jobId.Length == 0)
        {
            throw new ArgumentException("JobId must not be empty.", nameof(jobId));
        }
        if (jobId.Contains(':'))
        {
            throw new ArgumentException($"JobId '{jobId}' must not contain ':'.", nameof(jobId));
        }
        if (long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && number.ToString(CultureInfo.InvariantCulture) == jobId)
        {
            throw new ArgumentException($"JobId '{jobId}' must not be an integer: those ids belong to the queue's counter.", nameof(jobId));
        }
    }
}
