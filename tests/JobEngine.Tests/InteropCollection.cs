namespace BotSystem.JobEngine.Tests;

/// <summary>
/// The tests that run BullMQ in Node processes, on a redis-server and a three-master cluster of their own. They run
/// after the other collections and one at a time: Node start-ups would otherwise delay the lease and lock renewals
/// that the timing tests elsewhere measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InteropCollection : ICollectionFixture<RedisServer>, ICollectionFixture<RedisCluster>
{
    public const string Name = "bullmq-interop";
}
