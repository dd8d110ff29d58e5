using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>A job as stored in its Redis hash.</summary>
public sealed class Job
{
    private static readonly JsonElement EmptyObject = JsonSerializer.Deserialize<JsonElement>("{}");

    private Job(string id, string queueName)
    {
        Id = id;
        QueueName = queueName;
    }

    /// <summary>The job id (the hash key suffix).</summary>
    public string Id { get; }

    /// <summary>The job name.</summary>
    public string Name { get; private set; } = "";

    /// <summary>The queue it belongs to.</summary>
    public string QueueName { get; }

    private string? _rawData;
    private JsonElement? _data;

    /// <summary>The payload.</summary>
    public JsonElement Data => _data ??= _rawData is null ? EmptyObject : ParseJson(_rawData) ?? EmptyObject;

    /// <summary>The payload deserialized to <typeparamref name="T"/>.</summary>
    public T? GetData<T>() => Data.Deserialize<T>();

    /// <summary>Options the job was added with.</summary>
    public JobOptions Options { get; private set; } = new();

    /// <summary>Last reported progress.</summary>
    public JsonElement? Progress { get; private set; }

    /// <summary>Finished attempts (<c>atm</c>).</summary>
    public int AttemptsMade { get; private set; }

    /// <summary>Started attempts (<c>ats</c>).</summary>
    public int AttemptsStarted { get; private set; }

    /// <summary>Whether the attempt being made is the job's last: if it fails, the job fails for good.</summary>
    public bool IsLastAttempt => AttemptsMade + 1 >= Options.Attempts;

    /// <summary>Times the job was found stalled (<c>stc</c>).</summary>
    public int StalledCount { get; private set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset Timestamp { get; private set; }

    /// <summary>Start of the latest attempt.</summary>
    public DateTimeOffset? ProcessedOn { get; private set; }

    /// <summary>Time it completed or failed for good.</summary>
    public DateTimeOffset? FinishedOn { get; private set; }

    /// <summary>What the processor returned.</summary>
    public JsonElement? ReturnValue { get; private set; }

    /// <summary>Message of the latest failure.</summary>
    public string? FailedReason { get; private set; }

    /// <summary>Stack traces of failures, oldest first.</summary>
    public IReadOnlyList<string> StackTrace { get; private set; } = [];

    /// <summary>Priority (0 = none).</summary>
    public int Priority { get; private set; }

    /// <summary>Delay it was added (or last retried) with.</summary>
    public TimeSpan Delay { get; private set; }

    /// <summary>Scheduler that created it, if any (<c>rjk</c>).</summary>
    public string? SchedulerId { get; private set; }

    /// <summary>Set when the job must fail without running (<c>defa</c>), e.g. it stalled too often.</summary>
    public string? DeferredFailure { get; private set; }

    /// <summary>Lines of log kept (<c>opts.kl</c>), 0 = all.</summary>
    internal int KeepLogs { get; private set; }

    /// <summary>Stack traces kept (<c>opts.stackTraceLimit</c>), null = all.</summary>
    internal int? StackTraceLimit { get; private set; }

    internal static Job FromHash(string id, string queueName, HashEntry[] entries)
    {
        var job = new Job(id, queueName);
        foreach (var entry in entries)
        {
            job.Set(entry.Name!, entry.Value);
        }
        return job;
    }

    /// <summary>What is known of a completed job that retention already removed: its id and return value.</summary>
    internal static Job FromCompletedEvent(string id, string queueName, string? returnValueJson) =>
        new(id, queueName) { ReturnValue = returnValueJson is null ? null : ParseJson(returnValueJson) };

    /// <summary>Builds a job from the flat field/value array HGETALL returns inside a script reply.</summary>
    internal static Job FromFlatHash(string id, string queueName, RedisResult[] flat)
    {
        var job = new Job(id, queueName);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            job.Set((string)flat[i]!, (RedisValue)flat[i + 1]);
        }
        return job;
    }

    private void Set(string field, RedisValue value)
    {
        switch (field)
        {
            case "name": Name = (string)value!; break;
            case "data": _rawData = (string?)value; break;
            case "opts": SetOptions((string?)value); break;
            case "progress": Progress = ParseJson(value); break;
            case "atm": AttemptsMade = ParseInt(value); break;
            case "attemptsMade": if (AttemptsMade == 0) { AttemptsMade = ParseInt(value); } break;
            case "ats": AttemptsStarted = ParseInt(value); break;
            case "stc": StalledCount = ParseInt(value); break;
            case "timestamp": Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ParseLong(value)); break;
            case "processedOn": ProcessedOn = DateTimeOffset.FromUnixTimeMilliseconds(ParseLong(value)); break;
            case "finishedOn": FinishedOn = DateTimeOffset.FromUnixTimeMilliseconds(ParseLong(value)); break;
            case "returnvalue": ReturnValue = ParseJson(value); break;
            case "failedReason": FailedReason = (string?)value; break;
            case "stacktrace": StackTrace = ParseStackTrace(value); break;
            case "priority": Priority = ParseInt(value); break;
            case "delay": Delay = TimeSpan.FromMilliseconds(ParseLong(value)); break;
            case "rjk": SchedulerId = (string?)value; break;
            case "defa": DeferredFailure = (string?)value; break;
        }
    }

    // Options another producer wrote unreadably (not JSON, numbers out of range) leave the defaults and fail the job
    // when a worker takes it, rather than break every worker that does.
    private void SetOptions(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                Options = JobOptionsCodec.Decode(root);
                KeepLogs = JobOptionsCodec.ReadInt(root, "kl") ?? 0;
                StackTraceLimit = JobOptionsCodec.ReadInt(root, "stackTraceLimit");
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException or OverflowException)
        {
            DeferredFailure ??= $"The job's options cannot be read: {e.Message}";
        }
    }

    private static JsonElement? ParseJson(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<JsonElement>((string)value!);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> ParseStackTrace(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<string[]>((string)value!) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static int ParseInt(RedisValue value) =>
        int.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;

    private static long ParseLong(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;
}
