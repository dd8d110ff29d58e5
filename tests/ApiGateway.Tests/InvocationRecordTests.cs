using BotSystem.Contracts;
using StackExchange.Redis;

namespace ApiGateway.Tests;

/// <summary>The record's conditional writes, on a Redis of their own while another client keeps writing the same records.</summary>
public sealed class InvocationRecordTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Records_written_meanwhile_are_still_moved_and_ended_and_an_ended_one_is_neither()
    {
        var database = _redis.Connection.GetDatabase();
        var ids = Enumerable.Range(0, 50).Select(i => $"inv_record_{i}").ToList();
        foreach (var id in ids)
        {
            await database.HashSetAsync(InvocationRecord.Key(id), [new(InvocationRecord.ClientId, "dev"), new(InvocationRecord.Status, InvocationStatus.Queued)]);
        }
        // Progress written into the record at hand as fast as another client can, as an orchestrator does while its bot runs.
        var current = 0;
        await using var other = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        using var stop = new CancellationTokenSource();
        var progress = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await other.GetDatabase().HashSetAsync(InvocationRecord.Key(ids[Volatile.Read(ref current)]), InvocationRecord.Progress, n % 100);
            }
        });

        var moved = new List<bool>();
        var ended = new List<bool>();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            Volatile.Write(ref current, i);
            moved.Add(await InvocationRecord.MoveUnlessEndedAsync(database, id, [new(InvocationRecord.Status, InvocationStatus.Running)]));
            ended.Add(await InvocationRecord.EndUnlessEndedAsync(database, id, InvocationStatus.Cancelled, "cancelled"));
        }
        var movedAfterEnd = await InvocationRecord.MoveUnlessEndedAsync(database, ids[0], [new(InvocationRecord.Status, InvocationStatus.Running)]);
        var endedAgain = await InvocationRecord.EndUnlessEndedAsync(database, ids[0], InvocationStatus.Failed, "failed");
        var movedWithoutRecord = await InvocationRecord.MoveUnlessEndedAsync(database, "inv_record_none", [new(InvocationRecord.Status, InvocationStatus.Running)]);
        await stop.CancelAsync();
        await progress;

        Assert.True(moved.TrueForAll(done => done), $"{moved.Count(done => !done)} of {ids.Count} records were not moved");
        Assert.True(ended.TrueForAll(done => done), $"{ended.Count(done => !done)} of {ids.Count} records were not ended");
        Assert.False(movedAfterEnd);
        Assert.False(endedAgain);
        Assert.False(movedWithoutRecord);
        Assert.False(await database.KeyExistsAsync(InvocationRecord.Key("inv_record_none")));
        foreach (var id in ids)
        {
            Assert.Equal(InvocationStatus.Cancelled, (string?)await database.HashGetAsync(InvocationRecord.Key(id), InvocationRecord.Status));
        }
    }
}
