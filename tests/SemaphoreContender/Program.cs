using BotSystem.JobEngine;
using StackExchange.Redis;

// Contends for one semaphore in a loop and appends "acquired <unix ms>" right after taking a permit
// and "releasing <unix ms>" right before returning it, so the recorded intervals lie within the real ones.
if (args.Length != 5 || !int.TryParse(args[2], out var limit) || !int.TryParse(args[3], out var leaseMs))
{
    Console.Error.WriteLine("usage: SemaphoreContender <redis> <semaphore> <limit> <lease-ms> <log-file>");
    return 2;
}

using var redis = await ConnectionMultiplexer.ConnectAsync(args[0]);
var semaphore = new RedisSemaphore(redis, args[1], limit, new RedisSemaphoreOptions
{
    LeaseTime = TimeSpan.FromMilliseconds(leaseMs),
    HolderName = $"contender-{Environment.ProcessId}",
});
using var log = new StreamWriter(args[4], append: true) { AutoFlush = true };

while (true)
{
    var lease = await semaphore.AcquireAsync();
    log.WriteLine($"acquired {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
    await Task.Delay(Random.Shared.Next(30, 150), lease.Lost).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    log.WriteLine($"{(lease.Lost.IsCancellationRequested ? "lost" : "releasing")} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
    await lease.ReleaseAsync();
    await Task.Delay(Random.Shared.Next(0, 20));
}
