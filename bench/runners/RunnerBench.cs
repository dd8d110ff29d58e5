using System.Diagnostics;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.Testing;
using BotSystem.Workers;
using BotSystem.Workers.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace RunnersBench;

/// <summary>
/// Our runner against a bare spawn of the same interpreter running the same no-op bot (interleaved, so both see the
/// same machine), and the same bot served warm.
/// </summary>
public sealed class RunnerBench : IAsyncDisposable
{
    private const string Bot = "noop";
    private const int WarmUpJobs = 3;
    private static readonly string ColdBots = Path.Combine(RepositoryPaths.Root, "bench", "runners", "bots");

    private readonly DirectoryInfo _warmBots;
    private readonly BotSpawner _spawner;
    private readonly WarmHostPool _pool;
    private readonly BotRunner _cold;
    private readonly BotRunner _warm;
    private readonly BotLaunchers _coldLaunchers;

    private RunnerBench(DirectoryInfo warmBots)
    {
        _warmBots = warmBots;
        var hosts = Path.Combine(RepositoryPaths.Root, "Workers", "hosts");
        var coldOptions = Options.Create(new WorkersOptions { BotsDirectory = ColdBots, HostsDirectory = hosts });
        var warmOptions = Options.Create(new WorkersOptions { BotsDirectory = warmBots.FullName, HostsDirectory = hosts });
        _spawner = new BotSpawner(coldOptions, NullLogger<BotSpawner>.Instance);
        _pool = new WarmHostPool(warmOptions, _spawner, NullLogger<WarmHostPool>.Instance);
        _coldLaunchers = new BotLaunchers(coldOptions);
        _cold = new BotRunner(_coldLaunchers, new BotProcess(coldOptions, _spawner, NullLogger<BotProcess>.Instance), _pool);
        _warm = new BotRunner(new BotLaunchers(warmOptions), new BotProcess(warmOptions, _spawner, NullLogger<BotProcess>.Instance), _pool);
    }

    /// <summary>The bench's bots, and a copy of them whose manifests ask for warm mode.</summary>
    public static RunnerBench Create()
    {
        var warmBots = Directory.CreateTempSubdirectory("botsystem-bench-warm-bots-");
        foreach (var type in BotTypes.All)
        {
            var target = Directory.CreateDirectory(Path.Combine(warmBots.FullName, type));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(ColdBots, type)))
            {
                File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)));
            }
            File.WriteAllText(BotManifest.PathOf(target.FullName, Bot), """{"mode":"warm","maxJobs":1000000}""");
        }
        return new RunnerBench(warmBots);
    }

    public async Task<JsonObject> MeasureAsync(string type, int coldRounds, int warmJobs)
    {
        var job = new BotJobData { InvocationId = "inv_bench", BotType = type, Bot = Bot, Payload = [], TimeoutSeconds = 60 };
        // The bare spawn runs exactly the interpreter and arguments our runner starts the bot with.
        var launch = await _coldLaunchers.LaunchFor(job, CancellationToken.None);
        for (var i = 0; i < WarmUpJobs; i++)
        {
            await BareSpawnAsync(launch);
            await RunAsync(_cold, job);
        }

        var bare = new List<double>();
        var ours = new List<double>();
        for (var round = 0; round < coldRounds; round++)
        {
            // Alternating who goes first keeps either from always finding the machine warmer.
            if (round % 2 == 0)
            {
                bare.Add((await BareSpawnAsync(launch)).TotalMilliseconds);
                ours.Add((await RunAsync(_cold, job)).TotalMilliseconds);
            }
            else
            {
                ours.Add((await RunAsync(_cold, job)).TotalMilliseconds);
                bare.Add((await BareSpawnAsync(launch)).TotalMilliseconds);
            }
        }

        for (var i = 0; i < WarmUpJobs * 10; i++)
        {
            await RunAsync(_warm, job);
        }
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < warmJobs; i++)
        {
            await RunAsync(_warm, job);
        }
        warm.Stop();

        // Medians, and the ratio as the median of each round's pair run back to back: the machine is shared, and a
        // run slowed by a neighbour must not decide the result.
        var bareMs = Median(bare);
        var coldMs = Median(ours);
        var ratio = Median([.. ours.Zip(bare, (o, b) => o / b)]);
        var warmMs = warm.Elapsed.TotalMilliseconds / warmJobs;
        return new JsonObject
        {
            ["bench"] = "runners",
            ["type"] = type,
            ["cold_overhead_ratio"] = Math.Round(ratio, 3),
            ["warm_vs_cold"] = Math.Round(coldMs / warmMs, 1),
            ["bare_ms_per_job"] = Math.Round(bareMs, 2),
            ["cold_ms_per_job"] = Math.Round(coldMs, 2),
            ["cold_overhead_ms_per_job"] = Math.Round(Median([.. ours.Zip(bare, (o, b) => o - b)]), 2),
            ["cold_jobs_per_s"] = Math.Round(1000 / coldMs, 1),
            ["warm_ms_per_job"] = Math.Round(warmMs, 3),
            ["warm_jobs_per_s"] = Math.Round(1000 / warmMs, 1),
            ["bare_mean_ms_per_job"] = Math.Round(bare.Average(), 2),
            ["cold_mean_ms_per_job"] = Math.Round(ours.Average(), 2),
            ["cold_rounds"] = coldRounds,
            ["warm_jobs"] = warmJobs,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync();
        _spawner.Dispose();
        _warmBots.Delete(recursive: true);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<TimeSpan> RunAsync(BotRunner runner, BotJobData job)
    {
        var stopwatch = Stopwatch.StartNew();
        var outcome = await runner.RunAsync(job, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
        stopwatch.Stop();
        if (outcome.Status != BotRunStatus.Completed)
        {
            throw new InvalidOperationException($"The {job.BotType} bot ended {outcome.Status}: {outcome.Error}");
        }
        return stopwatch.Elapsed;
    }

    /// <summary>
    /// What any runner must do at least: start the interpreter, hand it the request, read its answer. It gets the
    /// environment a bot gets, since some variables change how long an interpreter takes to start (Node reads
    /// NODE_EXTRA_CA_CERTS at start), which is no part of the runner's cost.
    /// </summary>
    private static async Task<TimeSpan> BareSpawnAsync(BotLaunch launch)
    {
        var stopwatch = Stopwatch.StartNew();
        var startInfo = new ProcessStartInfo(launch.Command.FileName, launch.Command.Arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment.Clear();
        foreach (var (name, value) in BotEnvironment.For(Path.GetTempPath(), "bench"))
        {
            startInfo.Environment[name] = value;
        }
        using var process = new Process { StartInfo = startInfo };
        process.Start();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(launch.RequestJson);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        await errors;
        stopwatch.Stop();
        if (!output.Contains("\"result\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The bare {launch.Command.FileName} run gave no result: {output}{await errors}");
        }
        return stopwatch.Elapsed;
    }
}
