using System.Globalization;
using System.Text.Json.Nodes;
using BotSystem.Testing;
using StackExchange.Redis;

namespace EngineBench;

/// <summary>
/// Our engine against BullMQ on one freshly started Redis: each measurement runs in a process of its own, one at a
/// time, the sides alternating which goes first in each round, Redis flushed before each; medians over the rounds.
/// </summary>
internal static class EngineComparison
{
    private static readonly int[] Concurrencies = [1, 50];

    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        if (jobs < 1 || rounds < 1)
        {
            Console.Error.WriteLine("Usage: EngineBench [jobs >= 1] [rounds >= 1]");
            return 2;
        }

        // No persistence: the comparison is of the engines, not of the disk.
        var redis = RedisServer.WithArguments("--appendonly", "no");
        await redis.InitializeAsync();
        try
        {
            await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
            var server = admin.GetServer(redis.ConnectionString);
            BenchSide ours = BenchSide.Ours();
            BenchSide bullMq = BenchSide.BullMq(RepositoryPaths.Root);
            var lines = new List<JsonObject>();
            foreach (var concurrency in Concurrencies)
            {
                var samples = new Dictionary<BenchSide, List<(JsonObject Add, JsonObject Process)>> { [ours] = [], [bullMq] = [] };
                for (var round = 0; round < rounds; round++)
                {
                    foreach (var side in round % 2 == 0 ? new[] { ours, bullMq } : [bullMq, ours])
                    {
                        await server.FlushAllDatabasesAsync();
                        var add = await side.MeasureAsync(redis.Port, "add", jobs);
                        var process = await side.MeasureAsync(redis.Port, "process", jobs, concurrency);
                        samples[side].Add((add, process));
                        Console.Error.WriteLine($"concurrency {concurrency} round {round + 1} {side.Name}: {add.ToJsonString()} {process.ToJsonString()}");
                    }
                }
                lines.Add(Summary(concurrency, jobs, rounds, samples[ours], samples[bullMq]));
            }
            foreach (var line in lines)
            {
                Console.WriteLine(line.ToJsonString());
            }
            return 0;
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static JsonObject Summary(int concurrency, int jobs, int rounds,
        List<(JsonObject Add, JsonObject Process)> ours, List<(JsonObject Add, JsonObject Process)> bullMq)
    {
        var oursJobs = Median(ours.Select(s => s.Process), "jobs_per_s");
        var bullMqJobs = Median(bullMq.Select(s => s.Process), "jobs_per_s");
        var oursBulk = Median(ours.Select(s => s.Add), "add_bulk_per_s");
        var bullMqBulk = Median(bullMq.Select(s => s.Add), "add_bulk_per_s");
        var oursAdd = Median(ours.Select(s => s.Add), "add_per_s");
        var bullMqAdd = Median(bullMq.Select(s => s.Add), "add_per_s");
        return new JsonObject
        {
            ["bench"] = "engine",
            ["concurrency"] = concurrency,
            ["ours_jobs_per_s"] = Math.Round(oursJobs),
            ["bullmq_jobs_per_s"] = Math.Round(bullMqJobs),
            ["ratio"] = Math.Round(oursJobs / bullMqJobs, 3),
            ["ours_add_bulk_per_s"] = Math.Round(oursBulk),
            ["bullmq_add_bulk_per_s"] = Math.Round(bullMqBulk),
            ["add_bulk_ratio"] = Math.Round(oursBulk / bullMqBulk, 3),
            ["ours_add_per_s"] = Math.Round(oursAdd),
            ["bullmq_add_per_s"] = Math.Round(bullMqAdd),
            ["add_ratio"] = Math.Round(oursAdd / bullMqAdd, 3),
            ["ours_cpu_us_per_job"] = Math.Round(Median(ours.Select(s => s.Process), "cpu_us_per_job"), 1),
            ["bullmq_cpu_us_per_job"] = Math.Round(Median(bullMq.Select(s => s.Process), "cpu_us_per_job"), 1),
            ["ours_rss_mb"] = Math.Round(ours.Max(s => (double)s.Process["rss_mb"]!), 1),
            ["bullmq_rss_mb"] = Math.Round(bullMq.Max(s => (double)s.Process["rss_mb"]!), 1),
            ["jobs"] = jobs,
            ["rounds"] = rounds,
        };
    }

    private static double Median(IEnumerable<JsonObject> samples, string field)
    {
        var sorted = samples.Select(s => (double)s[field]!).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
