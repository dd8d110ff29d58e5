namespace BotSystem.JobEngine.Tests;

/// <summary>One redis-server shared by the engine tests; each test uses its own queue name.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
