using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace EngineBench;

/// <summary>Our engine's half of the comparison, in a process of its own so its memory and CPU are its own.</summary>
internal static class OurSide
{
    private static readonly JobOptions RemoveWhenDone = new() { RemoveOnComplete = KeepJobs.None };
    private static readonly Task<object?> NoResult = Task.FromResult<object?>(null);

    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[0], CultureInfo.InvariantCulture);
        var jobs = int.Parse(args[2], CultureInfo.InvariantCulture);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port}");
        var result = args[1] switch
        {
            "add" => await AddAsync(redis, jobs),
            "process" => await ProcessAsync(redis, jobs, int.Parse(args[3], CultureInfo.InvariantCulture)),
            var mode => throw new ArgumentException($"Unknown mode '{mode}': use add or process.", nameof(args)),
        };
        Console.WriteLine(result.ToJsonString());
        return 0;
    }

    private static async Task<JsonObject> AddAsync(IConnectionMultiplexer redis, int jobs)
    {
        var warmup = new Queue(BenchQueues.Warmup, redis);
        await warmup.AddBulkAsync(Jobs(BenchQueues.WarmupJobs));
        for (var i = 0; i < 200; i++)
        {
            await warmup.AddAsync(BenchQueues.JobName, new { index = i }, RemoveWhenDone);
        }

        var singles = new Queue(BenchQueues.Singles, redis);
        var singleCount = BenchQueues.SingleAdds(jobs);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < singleCount; i++)
        {
            await singles.AddAsync(BenchQueues.JobName, new { index = i }, RemoveWhenDone);
        }
        var addSeconds = clock.Elapsed.TotalSeconds;

        var queue = new Queue(BenchQueues.Measured, redis);
        var bulk = Jobs(jobs);
        clock.Restart();
        await queue.AddBulkAsync(bulk);
        var bulkSeconds = clock.Elapsed.TotalSeconds;

        return new JsonObject
        {
            ["add_per_s"] = singleCount / addSeconds,
            ["add_bulk_per_s"] = jobs / bulkSeconds,
        };
    }

    private static async Task<JsonObject> ProcessAsync(IConnectionMultiplexer redis, int jobs, int concurrency)
    {
        await new Queue(BenchQueues.Warmup, redis).AddBulkAsync(Jobs(BenchQueues.WarmupJobs));
        await DrainAsync(redis, BenchQueues.Warmup, BenchQueues.WarmupJobs, concurrency);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var seconds = await DrainAsync(redis, BenchQueues.Measured, jobs, concurrency);
        return new JsonObject
        {
            ["jobs_per_s"] = jobs / seconds,
            ["rss_mb"] = PeakRssMegabytes(),
            ["cpu_us_per_job"] = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / jobs,
            ["allocated_bytes_per_job"] = (GC.GetTotalAllocatedBytes() - allocatedBefore) / jobs,
        };
    }

    /// <summary>Starts a worker on a filled queue and times it until <paramref name="jobs"/> jobs have completed.</summary>
    private static async Task<double> DrainAsync(IConnectionMultiplexer redis, string queue, int jobs, int concurrency)
    {
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = 0;
        var clock = Stopwatch.StartNew();
        await using var worker = new Worker(queue, redis, static (_, _) => NoResult, new WorkerOptions { Concurrency = concurrency, Autorun = false });
        worker.Completed += (_, _) =>
        {
            if (Interlocked.Increment(ref completed) == jobs)
            {
                allDone.TrySetResult();
            }
        };
        await worker.StartAsync();
        await allDone.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return clock.Elapsed.TotalSeconds;
    }

    private static List<BulkJob> Jobs(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new BulkJob(BenchQueues.JobName, new { index = i }, RemoveWhenDone))];

    /// <summary>The process's peak resident set (VmHWM), in MB.</summary>
    private static double PeakRssMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kilobytes / 1024.0;
    }
}
