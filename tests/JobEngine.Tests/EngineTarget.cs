namespace BotSystem.JobEngine.Tests;

/// <summary>The Redis deployment an engine test runs on, and the key prefix its queues use there.</summary>
public sealed record EngineTarget(string ConnectionString, string Prefix)
{
    /// <summary>The prefix of cluster queues: its hash tag puts every key of a queue in one slot.</summary>
    public const string ClusterPrefix = "{botsystem}";

    /// <summary>One redis-server, with BullMQ's default prefix.</summary>
    public static EngineTarget Server(RedisServer server) => new(server.ConnectionString, "bull");

    /// <summary>A three-master cluster, with a hash-tagged prefix.</summary>
    public static EngineTarget Cluster(RedisCluster cluster) => new(cluster.ConnectionString, ClusterPrefix);
}
