using System.Text.Json.Nodes;
using Cronos;

namespace BotSystem.JobEngine;

/// <summary>When the runs of a job scheduler fall: cron occurrences (Cronos) or slots aligned to multiples of an interval.</summary>
internal sealed class SchedulerTiming
{
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone;
    private readonly RepeatOptions _repeat;

    private SchedulerTiming(RepeatOptions repeat, CronExpression? cron, TimeZoneInfo zone, long offsetMs)
    {
        _repeat = repeat;
        _cron = cron;
        _zone = zone;
        EveryMs = (long)(repeat.Every?.TotalMilliseconds ?? 0);
        OffsetMs = EveryMs > 0 ? offsetMs % EveryMs : 0;
    }

    public long EveryMs { get; }

    /// <summary>Shift of the interval slots from multiples of <see cref="EveryMs"/> (BullMQ's <c>offset</c>).</summary>
    public long OffsetMs { get; }

    public static SchedulerTiming From(RepeatOptions repeat) => From(repeat, 0);

    private static SchedulerTiming From(RepeatOptions repeat, long offsetMs)
    {
        if ((repeat.Pattern is null) == (repeat.Every is null))
        {
            throw new ArgumentException("A job scheduler needs exactly one of Pattern (cron) or Every.", nameof(repeat));
        }
        if (repeat.Every is { } every && every < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException($"Every must be at least 1 ms (got {every}).", nameof(repeat));
        }
        if (repeat.Limit is < 1)
        {
            throw new ArgumentException($"Limit must be at least 1 (got {repeat.Limit}).", nameof(repeat));
        }
        TimeZoneInfo zone;
        try
        {
            zone = repeat.TimeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(repeat.TimeZone);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new ArgumentException($"Time zone '{repeat.TimeZone}' is unknown.", nameof(repeat), e);
        }
        CronExpression? cron = null;
        if (repeat.Pattern is { } pattern)
        {
            try
            {
                var fields = pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                cron = CronExpression.Parse(pattern, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            }
            catch (CronFormatException e)
            {
                throw new ArgumentException($"Cron pattern '{pattern}' is invalid: {e.Message}", nameof(repeat), e);
            }
        }
        return new SchedulerTiming(repeat, cron, zone, offsetMs);
    }

    public static SchedulerTiming From(string? pattern, long everyMs, string? timeZone, long offsetMs, int? limit) => From(new RepeatOptions
    {
        Pattern = string.IsNullOrEmpty(pattern) ? null : pattern,
        Every = everyMs > 0 ? TimeSpan.FromMilliseconds(everyMs) : null,
        TimeZone = string.IsNullOrEmpty(timeZone) ? null : timeZone,
        Limit = limit,
    }, offsetMs);

    /// <summary>The first slot after <paramref name="now"/>; every process computes the same one.</summary>
    public long First(long now) => Next(now, now);

    /// <summary>The slot after <paramref name="previous"/>, never in the past.</summary>
    public long Next(long previous, long now)
    {
        if (_cron is { } cron)
        {
            var after = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(previous, now));
            // Without a year field, a pattern with no further occurrence has none at all.
            var next = cron.GetNextOccurrence(after, _zone)
                ?? throw new ArgumentException($"Cron pattern '{_repeat.Pattern}' never matches a date (such as the 31st of February).", "repeat");
            return next.ToUnixTimeMilliseconds();
        }
        var nextSlot = ((now - OffsetMs) / EveryMs + 1) * EveryMs + OffsetMs;
        var candidate = previous == now ? nextSlot : previous + EveryMs;
        return candidate > now ? candidate : nextSlot;
    }

    /// <summary>
    /// The opts of one iteration: the scheduler's template, every key of it (another producer's too), plus BullMQ's
    /// iteration fields. <paramref name="count"/> is the iteration's number from 1 and <paramref name="endDate"/> the
    /// scheduler's end (ms), by which BullMQ's workers stop it.
    /// </summary>
    public string IterationOptions(string? templateJson, string schedulerId, long millis, long? prevMillis, long now, long count, long? endDate)
    {
        var opts = (string.IsNullOrEmpty(templateJson) ? null : JsonNode.Parse(templateJson) as JsonObject) ?? [];
        opts["jobId"] = $"repeat:{schedulerId}:{millis}";
        opts["delay"] = Math.Max(0, millis - now);
        opts["timestamp"] = now;
        var repeat = new JsonObject();
        if (_repeat.Pattern is { } pattern)
        {
            repeat["pattern"] = pattern;
        }
        if (EveryMs > 0)
        {
            repeat["every"] = EveryMs;
        }
        if (_repeat.TimeZone is { } tz)
        {
            repeat["tz"] = tz;
        }
        if (_repeat.Limit is { } limit)
        {
            repeat["limit"] = limit;
        }
        if (OffsetMs > 0)
        {
            repeat["offset"] = OffsetMs;
        }
        if (endDate is { } end)
        {
            repeat["endDate"] = end;
        }
        repeat["count"] = count;
        opts["repeat"] = repeat;
        opts["repeatJobKey"] = schedulerId;
        if (prevMillis is { } prev)
        {
            opts["prevMillis"] = prev;
        }
        return opts.ToJsonString();
    }
}
