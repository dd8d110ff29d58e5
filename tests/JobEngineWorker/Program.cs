using System.Globalization;
using BotSystem.JobEngine;
using StackExchange.Redis;

// Usage: JobEngineWorker <redis connection> <queue> <lock duration ms> <stalled interval ms>
// Takes jobs and never finishes them, printing "started <id>" for each, until it is killed.
var redis = await ConnectionMultiplexer.ConnectAsync(args[0]);
var lockDuration = TimeSpan.FromMilliseconds(double.Parse(args[2], CultureInfo.InvariantCulture));
var worker = new Worker(args[1], redis, async (job, ct) =>
{
    Console.WriteLine($"started {job.Job.Id}");
    await Task.Delay(Timeout.Infinite, ct);
    return null;
}, new WorkerOptions { LockDuration = lockDuration, StalledInterval = TimeSpan.FromMilliseconds(double.Parse(args[3], CultureInfo.InvariantCulture)), Name = "doomed" });
await worker.StartAsync();
Console.WriteLine("ready");
await Task.Delay(Timeout.Infinite);
