using System.Buffers;
using System.Text;
using System.Text.Json;

namespace BotSystem.JobEngine;

/// <summary>Reads and writes the job's <c>opts</c> JSON with BullMQ's names and compact keys.</summary>
internal static class JobOptionsCodec
{
    public static string Encode(JobOptions options, Action<Utf8JsonWriter>? extra = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("attempts", options.Attempts);
            if (options.Delay > TimeSpan.Zero)
            {
                writer.WriteNumber("delay", (long)options.Delay.TotalMilliseconds);
            }
            if (options.Priority > 0)
            {
                writer.WriteNumber("priority", options.Priority);
            }
            if (options.Lifo)
            {
                writer.WriteBoolean("lifo", true);
            }
            if (options.Backoff is { } backoff)
            {
                writer.WriteStartObject("backoff");
                writer.WriteString("type", backoff.Type == BackoffType.Exponential ? "exponential" : "fixed");
                writer.WriteNumber("delay", (long)backoff.Delay.TotalMilliseconds);
                if (backoff.Jitter > 0)
                {
                    writer.WriteNumber("jitter", backoff.Jitter);
                }
                writer.WriteEndObject();
            }
            WriteKeep(writer, "removeOnComplete", options.RemoveOnComplete);
            WriteKeep(writer, "removeOnFail", options.RemoveOnFail);
            if (options.JobId is { } jobId)
            {
                writer.WriteString("jobId", jobId);
            }
            if (options.Timestamp is { } timestamp)
            {
                writer.WriteNumber("timestamp", timestamp);
            }
            if (options.Deduplication is { } dedup)
            {
                writer.WriteStartObject("de");
                writer.WriteString("id", dedup.Id);
                if (dedup.Ttl is { } ttl)
                {
                    writer.WriteNumber("ttl", (long)ttl.TotalMilliseconds);
                }
                writer.WriteEndObject();
            }
            if (options.TelemetryMetadata is { } metadata)
            {
                writer.WriteString("tm", metadata);
            }
            extra?.Invoke(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static JobOptions Decode(JsonElement root)
    {
        return new JobOptions
        {
            Attempts = Math.Max(1, ReadInt(root, "attempts") ?? 1),
            Delay = TimeSpan.FromMilliseconds(ReadLong(root, "delay") ?? 0),
            Priority = ReadInt(root, "priority") ?? 0,
            Lifo = root.TryGetProperty("lifo", out var lifo) && lifo.ValueKind == JsonValueKind.True,
            Backoff = ReadBackoff(root),
            RemoveOnComplete = ReadKeep(root, "removeOnComplete"),
            RemoveOnFail = ReadKeep(root, "removeOnFail"),
            JobId = root.TryGetProperty("jobId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
            Timestamp = ReadLong(root, "timestamp"),
            Deduplication = root.TryGetProperty("de", out var de) && de.ValueKind == JsonValueKind.Object
                && de.TryGetProperty("id", out var deId) && deId.ValueKind == JsonValueKind.String
                ? new DeduplicationOptions(deId.GetString()!, ReadLong(de, "ttl") is { } ttl ? TimeSpan.FromMilliseconds(ttl) : null)
                : null,
            TelemetryMetadata = root.TryGetProperty("tm", out var tm) && tm.ValueKind == JsonValueKind.String ? tm.GetString() : null,
        };
    }

    /// <summary>Reads an integer option from raw opts JSON without decoding the rest (e.g. <c>kl</c>, <c>stackTraceLimit</c>).</summary>
    public static int? ReadInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? (int)value.GetDouble() : null;

    private static long? ReadLong(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? (long)value.GetDouble() : null;

    private static BackoffOptions? ReadBackoff(JsonElement root)
    {
        if (!root.TryGetProperty("backoff", out var backoff))
        {
            return null;
        }
        if (backoff.ValueKind == JsonValueKind.Number)
        {
            return new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(backoff.GetDouble()));
        }
        if (backoff.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var type = backoff.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            && string.Equals(t.GetString(), "exponential", StringComparison.Ordinal) ? BackoffType.Exponential : BackoffType.Fixed;
        var jitter = backoff.TryGetProperty("jitter", out var j) && j.ValueKind == JsonValueKind.Number ? j.GetDouble() : 0;
        return new BackoffOptions(type, TimeSpan.FromMilliseconds(ReadLong(backoff, "delay") ?? 0), jitter);
    }

    private static void WriteKeep(Utf8JsonWriter writer, string name, KeepJobs? keep)
    {
        if (keep is null)
        {
            return;
        }
        if (keep.RemoveAll)
        {
            writer.WriteBoolean(name, true);
        }
        else if (keep.Age is { } age)
        {
            writer.WriteStartObject(name);
            writer.WriteNumber("age", (long)age.TotalSeconds);
            if (keep.Count is { } ageCount)
            {
                writer.WriteNumber("count", ageCount);
            }
            writer.WriteEndObject();
        }
        else if (keep.Count is { } count)
        {
            writer.WriteNumber(name, count);
        }
        else
        {
            writer.WriteBoolean(name, false);
        }
    }

    private static KeepJobs? ReadKeep(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => KeepJobs.None,
            JsonValueKind.False => KeepJobs.All,
            JsonValueKind.Number => KeepJobs.Last((int)value.GetDouble()),
            JsonValueKind.Object => new KeepJobs
            {
                Count = ReadInt(value, "count"),
                Age = ReadLong(value, "age") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            },
            _ => null,
        };
    }
}
