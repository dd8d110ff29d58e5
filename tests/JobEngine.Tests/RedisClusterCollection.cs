namespace BotSystem.JobEngine.Tests;

/// <summary>One local three-master Redis Cluster shared by the tests that run on a cluster.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisCluster>
{
    public const string Name = "redis-cluster";
}
