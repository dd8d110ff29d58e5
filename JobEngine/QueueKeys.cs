using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Every Redis key of one queue, in BullMQ's layout: <c>prefix:queue:suffix</c>.</summary>
public sealed class QueueKeys
{
    /// <summary>Names the keys of queue <paramref name="queueName"/> under <paramref name="prefix"/>.</summary>
    public QueueKeys(string prefix, string queueName)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        if (queueName.Contains(':'))
        {
            throw new ArgumentException($"Queue name '{queueName}' must not contain ':'.", nameof(queueName));
        }
        Prefix = prefix;
        QueueName = queueName;
        Base = $"{prefix}:{queueName}:";
        Id = Key("id");
        Wait = Key("wait");
        Paused = Key("paused");
        Active = Key("active");
        Prioritized = Key("prioritized");
        PriorityCounter = Key("pc");
        Delayed = Key("delayed");
        WaitingChildren = Key("waiting-children");
        Completed = Key("completed");
        Failed = Key("failed");
        Stalled = Key("stalled");
        StalledCheck = Key("stalled-check");
        Meta = Key("meta");
        Events = Key("events");
        Marker = Key("marker");
        Limiter = Key("limiter");
        Repeat = Key("repeat");
        ClientName = $"{prefix}:{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(queueName))}";
        var open = Base.IndexOf('{');
        HasHashTag = open >= 0 && Base.IndexOf('}', open + 1) > open + 1;
    }

    /// <summary>The key prefix, e.g. <c>bull</c>.</summary>
    public string Prefix { get; }

    /// <summary>The queue name.</summary>
    public string QueueName { get; }

    /// <summary><c>prefix:queue:</c>, the base every key starts with; scripts get it to build job keys.</summary>
    public string Base { get; }

    /// <summary>Job id counter.</summary>
    public RedisKey Id { get; }
    /// <summary>Ready job ids (list).</summary>
    public RedisKey Wait { get; }
    /// <summary>Legacy paused list.</summary>
    public RedisKey Paused { get; }
    /// <summary>Active job ids (list).</summary>
    public RedisKey Active { get; }
    /// <summary>Ready jobs with a priority (zset).</summary>
    public RedisKey Prioritized { get; }
    /// <summary>Priority counter.</summary>
    public RedisKey PriorityCounter { get; }
    /// <summary>Delayed jobs (zset).</summary>
    public RedisKey Delayed { get; }
    /// <summary>Flow parents waiting for children (zset).</summary>
    public RedisKey WaitingChildren { get; }
    /// <summary>Completed jobs by finish time (zset).</summary>
    public RedisKey Completed { get; }
    /// <summary>Failed jobs by finish time (zset).</summary>
    public RedisKey Failed { get; }
    /// <summary>Active ids seen at the last stalled sweep (set).</summary>
    public RedisKey Stalled { get; }
    /// <summary>Throttle of the stalled sweep.</summary>
    public RedisKey StalledCheck { get; }
    /// <summary>Queue settings (hash).</summary>
    public RedisKey Meta { get; }
    /// <summary>Event stream.</summary>
    public RedisKey Events { get; }
    /// <summary>Wake-up signal for blocked workers (zset).</summary>
    public RedisKey Marker { get; }
    /// <summary>Rate-limit counter.</summary>
    public RedisKey Limiter { get; }
    /// <summary>Job schedulers by pending iteration time (zset).</summary>
    public RedisKey Repeat { get; }

    /// <summary>
    /// Whether <see cref="Base"/> holds a Redis Cluster hash tag (<c>{...}</c>, in the prefix or the queue name), so every
    /// key of the queue, job keys included, hashes to one slot.
    /// </summary>
    public bool HasHashTag { get; }

    /// <summary>The connection name Bull Board counts workers by: <c>prefix:base64(queue)</c>.</summary>
    public string ClientName { get; }

    /// <summary>The hash of a job.</summary>
    public RedisKey Job(string jobId) => Base + jobId;

    /// <summary>The lock of an active job.</summary>
    public RedisKey Lock(string jobId) => Base + jobId + ":lock";

    /// <summary>The log lines of a job.</summary>
    public RedisKey Logs(string jobId) => Base + jobId + ":logs";

    /// <summary>The definition of a job scheduler.</summary>
    public RedisKey Scheduler(string schedulerId) => Base + "repeat:" + schedulerId;

    /// <summary>The owner of a deduplication id.</summary>
    public RedisKey Deduplication(string deduplicationId) => Base + "de:" + deduplicationId;

    /// <summary>The container a state lives in.</summary>
    public RedisKey StateKey(JobState state) => state switch
    {
        JobState.Waiting => Wait,
        JobState.Active => Active,
        JobState.Delayed => Delayed,
        JobState.Prioritized => Prioritized,
        JobState.Completed => Completed,
        JobState.Failed => Failed,
        JobState.WaitingChildren => WaitingChildren,
        _ => throw new ArgumentException($"State {state} has no container.", nameof(state)),
    };

    private RedisKey Key(string suffix) => Base + suffix;
}
