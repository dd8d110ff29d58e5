namespace BotSystem.JobEngine.Tests;

/// <summary>The semaphore tests share one Redis and run one after another, so timings are not disturbed.</summary>
[CollectionDefinition(Name)]
public sealed class SemaphoreCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Semaphore";
}
