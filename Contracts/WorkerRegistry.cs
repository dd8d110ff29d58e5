namespace BotSystem.Contracts;

/// <summary>
/// Where live runner processes register themselves: a zset of worker ids scored by the time of
/// their last heartbeat (ms), and one hash per worker.
/// </summary>
public static class WorkerRegistry
{
    public const string IndexKey = "botsystem:workers";

    public static string Key(string workerId) => "botsystem:worker:" + workerId;

    public const string Host = "host";
    public const string Pid = "pid";
    public const string Types = "types";
    public const string State = "state";
    public const string JobsProcessed = "jobsProcessed";
    public const string StartedAt = "startedAt";
    public const string LastHeartbeat = "lastHeartbeat";
}
