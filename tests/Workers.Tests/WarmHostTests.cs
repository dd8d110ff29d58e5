using System.Diagnostics;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.Workers;
using BotSystem.Workers.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Workers.Tests;

public sealed class WarmHostTests : IAsyncLifetime
{
    private static readonly string TestBots = Path.Combine(AppContext.BaseDirectory, "bots");
    private static readonly string SampleBots = Path.Combine(RepositoryPaths.Root, "Workers", "bots");
    private readonly List<IAsyncDisposable> _pools = [];
    private readonly List<IDisposable> _spawners = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_thousand_jobs_are_served_by_one_host_process_with_every_result_right()
    {
        var runner = Runner(TestBots);
        var outcomes = new List<BotRunOutcome>();

        for (var n = 0; n < 1000; n++)
        {
            outcomes.Add(await runner.RunAsync(Job("reports_pid", new JsonObject { ["n"] = n }), NoProgress, NoLog, CancellationToken.None));
        }

        Assert.All(outcomes, outcome => Assert.Equal(BotRunStatus.Completed, outcome.Status));
        Assert.Equal(Enumerable.Range(0, 1000).Select(n => (long)n * n), outcomes.Select(o => o.Result!["square"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(0, 1000), outcomes.Select(o => o.Result!["n"]!.GetValue<int>()));
        var pids = outcomes.Select(o => o.Result!["pid"]!.GetValue<int>()).Distinct().ToList();
        Assert.Single(pids);
        Assert.All(outcomes, outcome => Assert.Equal(pids[0], outcome.ProcessId));
        Assert.True(Signals.IsAlive(pids[0]));
    }

    [Fact]
    public async Task A_host_is_recycled_after_the_jobs_its_manifest_allows()
    {
        var runner = Runner(TestBots);
        var pids = new List<int>();

        for (var n = 0; n < 7; n++)
        {
            var outcome = await runner.RunAsync(Job("recycled_after_three", new JsonObject { ["n"] = n }), NoProgress, NoLog, CancellationToken.None);
            Assert.Equal(BotRunStatus.Completed, outcome.Status);
            pids.Add(outcome.Result!["pid"]!.GetValue<int>());
        }

        Assert.Equal(3, pids.Distinct().Count());
        Assert.Equal([pids[0], pids[0], pids[0], pids[3], pids[3], pids[3], pids[6]], pids);
        Assert.False(Signals.IsAlive(pids[0]), "the first host outlived its budget");
        Assert.False(Signals.IsAlive(pids[3]), "the second host outlived its budget");
    }

    [Theory]
    [InlineData(BotTypes.Python, 3)]
    [InlineData(BotTypes.Node, 4)]
    [InlineData(BotTypes.Java, 5)]
    public async Task A_crash_in_warm_mode_recycles_the_host_and_the_next_job_succeeds(string botType, int exitCode)
    {
        var runner = Runner(SampleBots);
        var bot = BotCatalog.DefaultBot(botType);

        var before = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 10 }, botType), NoProgress, NoLog, CancellationToken.None);
        var crash = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 10, ["fail"] = "crash" }, botType), NoProgress, NoLog, CancellationToken.None);
        var after = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 10 }, botType), NoProgress, NoLog, CancellationToken.None);

        Assert.Equal(BotRunStatus.Completed, before.Status);
        Assert.Equal(BotRunStatus.Crashed, crash.Status);
        Assert.Equal(exitCode, crash.ExitCode);
        Assert.True(crash.Retryable);
        Assert.Contains($"exited with code {exitCode}", crash.Error);
        Assert.Equal(before.ProcessId, crash.ProcessId);
        Assert.False(Signals.IsAlive(crash.ProcessId));
        Assert.Equal(BotRunStatus.Completed, after.Status);
        Assert.NotEqual(crash.ProcessId, after.ProcessId);
    }

    [Theory]
    [InlineData(BotTypes.Python, true, "ValueError: simulated: a row that is no number")]
    [InlineData(BotTypes.Python, false, "ValueError: simulated: a row that is no number")]
    [InlineData(BotTypes.Java, true, "java.lang.IllegalStateException: simulated: a record that is no number")]
    [InlineData(BotTypes.Java, false, "java.lang.IllegalStateException: simulated: a record that is no number")]
    public async Task An_exception_a_bot_leaves_uncaught_is_reported_by_its_type_and_message_warm_or_cold(string botType, bool warm, string reported)
    {
        var runner = Runner(SampleBots, new WorkersOptions { WarmHosts = warm });
        var payload = new JsonObject { ["fail"] = "exception" };

        var crash = await runner.RunAsync(Job(BotCatalog.DefaultBot(botType), payload, botType), NoProgress, NoLog, CancellationToken.None);

        Assert.Equal(BotRunStatus.Crashed, crash.Status);
        Assert.EndsWith(reported, crash.Error);
    }

    [Theory]
    [InlineData(BotTypes.Python, "mean")]
    [InlineData(BotTypes.Node, "byStatus")]
    [InlineData(BotTypes.Java, "valid")]
    public async Task Sample_bots_serve_jobs_warm_and_a_bot_declared_error_keeps_the_host(string botType, string field)
    {
        var runner = Runner(SampleBots);
        var bot = BotCatalog.DefaultBot(botType);
        var progress = new List<int>();

        var first = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 50 }, botType),
            p => { progress.Add(p.GetValue<int>()); return Task.CompletedTask; }, NoLog, CancellationToken.None);
        var permanent = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 10, ["fail"] = "permanent" }, botType), NoProgress, NoLog, CancellationToken.None);
        var retryable = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 10, ["fail"] = "retryable" }, botType), NoProgress, NoLog, CancellationToken.None);
        var last = await runner.RunAsync(Job(bot, new JsonObject { ["durationMs"] = 10 }, botType), NoProgress, NoLog, CancellationToken.None);

        Assert.Equal(BotRunStatus.Completed, first.Status);
        Assert.NotNull(first.Result![field]);
        Assert.Equal(100, progress[^1]);
        Assert.True(first.PeakMemoryBytes > 0);
        Assert.Equal((BotRunStatus.Failed, false), (permanent.Status, permanent.Retryable));
        Assert.Equal((BotRunStatus.Failed, true), (retryable.Status, retryable.Retryable));
        Assert.Equal(BotRunStatus.Completed, last.Status);
        Assert.Single(new[] { first, permanent, retryable, last }.Select(o => o.ProcessId).Distinct());
    }

    [Fact]
    public async Task A_timeout_in_warm_mode_kills_the_host_and_its_children_within_a_second_of_the_deadline()
    {
        var runner = Runner(TestBots);
        var pids = new List<int>();
        var first = await runner.RunAsync(Job("reports_pid", new JsonObject { ["n"] = 3 }), NoProgress, NoLog, CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();

        var outcome = await runner.RunAsync(Job("reports_pid", new JsonObject { ["hang"] = true }, timeoutSeconds: 2), NoProgress,
            line => { pids.AddRange(JsonNode.Parse(line)!["pids"]!.AsArray().Select(p => p!.GetValue<int>())); return Task.CompletedTask; },
            CancellationToken.None);
        stopwatch.Stop();
        var next = await runner.RunAsync(Job("reports_pid", new JsonObject { ["n"] = 4 }), NoProgress, NoLog, CancellationToken.None);

        Assert.Equal(BotRunStatus.TimedOut, outcome.Status);
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 2, 3);
        Assert.Equal(2, pids.Count);
        Assert.Equal([first.ProcessId, outcome.ProcessId], new[] { pids[0], pids[0] });
        Assert.All(pids, pid => Assert.False(Signals.IsAlive(pid), $"process {pid} survived the timeout"));
        Assert.Equal(BotRunStatus.Completed, next.Status);
        Assert.Equal(16, next.Result!["square"]!.GetValue<int>());
        Assert.NotEqual(outcome.ProcessId, next.ProcessId);
    }

    [Fact]
    public async Task Cancelling_a_warm_job_kills_its_host_at_once()
    {
        var runner = Runner(TestBots);
        using var cancellation = new CancellationTokenSource();
        var stopwatch = new Stopwatch();

        var outcome = await runner.RunAsync(Job("reports_pid", new JsonObject { ["hang"] = true }), NoProgress,
            _ => { stopwatch.Start(); cancellation.Cancel(); return Task.CompletedTask; }, cancellation.Token);
        stopwatch.Stop();

        Assert.Equal(BotRunStatus.Cancelled, outcome.Status);
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0, 1);
        Assert.False(Signals.IsAlive(outcome.ProcessId));
    }

    [Fact]
    public async Task Output_past_the_limit_is_dropped_and_the_host_serves_the_next_job()
    {
        var runner = Runner(TestBots, new WorkersOptions { MaxOutputBytes = 64 * 1024 });
        var logs = new List<string>();

        var flooded = await runner.RunAsync(Job("reports_pid", new JsonObject { ["flood"] = true }), NoProgress,
            line => { logs.Add(line); return Task.CompletedTask; }, CancellationToken.None);
        var next = await runner.RunAsync(Job("reports_pid", new JsonObject { ["n"] = 5 }), NoProgress, NoLog, CancellationToken.None);

        Assert.True(flooded.OutputTruncated);
        Assert.True(flooded.Status == BotRunStatus.Completed, $"the flooding job ended {flooded.Status}: {flooded.Error}");
        Assert.Contains("[output truncated]", logs);
        Assert.True(logs.Sum(line => line.Length) <= 64 * 1024 + 2000);
        Assert.Equal(BotRunStatus.Completed, next.Status);
        Assert.Equal(25, next.Result!["square"]!.GetValue<int>());
        Assert.Equal(flooded.ProcessId, next.ProcessId);
    }

    [Fact]
    public async Task A_warm_host_sees_no_variable_of_the_worker_and_its_directory_is_removed_with_it()
    {
        Environment.SetEnvironmentVariable("BOTSYSTEM_WARM_SECRET", "do-not-leak");
        var runner = Runner(TestBots);

        var outcome = await runner.RunAsync(Job("reports_pid", new JsonObject { ["environment"] = true }), NoProgress, NoLog, CancellationToken.None);
        await DisposeAsync();

        var seen = outcome.Result!["environment"]!.AsObject();
        Assert.DoesNotContain(seen, variable => variable.Value!.ToString().Contains("do-not-leak"));
        var cwd = outcome.Result["cwd"]!.GetValue<string>();
        Assert.Equal(cwd, seen["HOME"]!.GetValue<string>());
        Assert.False(Directory.Exists(cwd));
        Assert.False(Signals.IsAlive(outcome.ProcessId));
    }

    [Fact]
    public async Task Jobs_of_a_type_run_in_parallel_on_as_many_hosts_as_its_concurrency()
    {
        var runner = Runner(TestBots, new WorkersOptions { PythonConcurrency = 3 });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(n =>
            runner.RunAsync(Job("reports_pid", new JsonObject { ["n"] = n, ["sleepMs"] = 200 }), NoProgress, NoLog, CancellationToken.None)));

        Assert.All(outcomes, outcome => Assert.Equal(BotRunStatus.Completed, outcome.Status));
        Assert.Equal(3, outcomes.Select(o => o.ProcessId).Distinct().Count());
    }

    [Theory]
    [InlineData(BotTypes.Python)]
    [InlineData(BotTypes.Node)]
    [InlineData(BotTypes.Java)]
    public async Task What_a_job_left_running_writes_after_it_ended_never_reaches_the_next_job_of_its_host(string botType)
    {
        var runner = Runner(TestBots);
        var logs = new List<string>();

        var first = await runner.RunAsync(Job("emits_late", new JsonObject { ["n"] = 1, ["lateLogMs"] = 300 }, botType), NoProgress, NoLog, CancellationToken.None);
        var second = await runner.RunAsync(Job("emits_late", new JsonObject { ["n"] = 2, ["sleepMs"] = 1500 }, botType), NoProgress,
            line => { logs.Add(line); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal((BotRunStatus.Completed, 1), (first.Status, first.Result!["n"]!.GetValue<int>()));
        Assert.Equal((BotRunStatus.Completed, 2), (second.Status, second.Result!["n"]!.GetValue<int>()));
        Assert.Equal(first.ProcessId, second.ProcessId);
        Assert.DoesNotContain("late from job 1", logs);
    }

    [Fact]
    public async Task A_process_a_warm_job_left_running_dies_with_the_job_and_never_writes_into_the_next_one()
    {
        var runner = Runner(TestBots);
        var pids = new List<int>();

        var first = await runner.RunAsync(Job("leaves_a_child", new JsonObject { ["n"] = 1, ["childMs"] = 500 }), NoProgress,
            line => { pids.AddRange(JsonNode.Parse(line)!["pids"]!.AsArray().Select(p => p!.GetValue<int>())); return Task.CompletedTask; },
            CancellationToken.None);
        var childAliveAfterItsJob = pids.Any(Signals.IsAlive);
        var second = await runner.RunAsync(Job("leaves_a_child", new JsonObject { ["n"] = 2, ["sleepMs"] = 1500 }), NoProgress, NoLog, CancellationToken.None);

        Assert.Equal((BotRunStatus.Completed, 1), (first.Status, first.Result!["n"]!.GetValue<int>()));
        Assert.Single(pids);
        Assert.False(childAliveAfterItsJob, $"the child {pids[0]} of the first job outlived it");
        Assert.True(second.Status == BotRunStatus.Completed, $"the second job ended {second.Status}: {second.Error}");
        Assert.Equal(2, second.Result!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_host_that_something_a_job_left_running_ended_while_idle_is_not_handed_the_next_job()
    {
        var runner = Runner(TestBots);

        var first = await runner.RunAsync(Job("ends_its_host_later", new JsonObject { ["n"] = 1, ["exitAfterMs"] = 100 }), NoProgress, NoLog, CancellationToken.None);
        var deadline = Stopwatch.StartNew();
        while (Signals.IsAlive(first.ProcessId) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        Assert.False(Signals.IsAlive(first.ProcessId), "the host outlived the thread that ends it");
        var second = await runner.RunAsync(Job("ends_its_host_later", new JsonObject { ["n"] = 2 }), NoProgress, NoLog, CancellationToken.None);

        Assert.Equal((BotRunStatus.Completed, 1), (first.Status, first.Result!["n"]!.GetValue<int>()));
        Assert.Equal(BotRunStatus.Completed, second.Status);
        Assert.Equal(2, second.Result!["n"]!.GetValue<int>());
        Assert.NotEqual(first.ProcessId, second.ProcessId);
    }

    [Theory]
    [InlineData("""{"mode":"hot"}""", "'mode'")]
    [InlineData("""{"mode":"warm","maxJobs":0}""", "'maxJobs'")]
    [InlineData("""{"mode":"warm","maxJobs":"ten"}""", "'maxJobs'")]
    [InlineData("""{"mode":"warm","maxjobs":10}""", "'maxjobs'")]
    [InlineData("""["warm"]""", "JSON object")]
    [InlineData("""{"mode":""", "not valid JSON")]
    public void A_bad_manifest_is_refused_naming_the_field(string json, string named)
    {
        var error = Assert.Throws<InvalidDataException>(() => BotManifest.Parse(json, "bots/python/x.bot.json"));

        Assert.Contains(named, error.Message);
        Assert.Contains("bots/python/x.bot.json", error.Message);
    }

    [Fact]
    public void A_manifest_declares_warm_mode_and_its_job_budget()
    {
        Assert.Equal(new BotManifest(BotMode.Warm, 50), BotManifest.Parse("""{"mode":"warm","maxJobs":50}""", "x"));
        Assert.Equal(BotManifest.Cold, BotManifest.Parse("""{"mode":"cold"}""", "x"));
        Assert.Equal(BotManifest.Cold, BotManifest.Load(Path.Combine(TestBots, "python", "no_such_bot.bot.json")));
    }

    public async Task DisposeAsync()
    {
        foreach (var pool in _pools)
        {
            await pool.DisposeAsync();
        }
        _pools.Clear();
        _spawners.ForEach(spawner => spawner.Dispose());
        _spawners.Clear();
    }

    private static Task NoProgress(JsonNode progress) => Task.CompletedTask;

    private static Task NoLog(string line) => Task.CompletedTask;

    private static BotJobData Job(string bot, JsonObject payload, string botType = BotTypes.Python, int timeoutSeconds = 60) =>
        new() { InvocationId = "inv_" + Guid.NewGuid().ToString("N"), BotType = botType, Bot = bot, Payload = payload, TimeoutSeconds = timeoutSeconds };

    private BotRunner Runner(string botsDirectory, WorkersOptions? settings = null)
    {
        var options = Options.Create(settings ?? new WorkersOptions());
        options.Value.BotsDirectory = botsDirectory;
        options.Value.HostsDirectory = Path.Combine(RepositoryPaths.Root, "Workers", "hosts");
        options.Value.MemoryLimitMb = 512;
        var spawner = new BotSpawner(options, NullLogger<BotSpawner>.Instance);
        var pool = new WarmHostPool(options, spawner, NullLogger<WarmHostPool>.Instance);
        _spawners.Add(spawner);
        _pools.Add(pool);
        return new BotRunner(new BotLaunchers(options), new BotProcess(options, spawner, NullLogger<BotProcess>.Instance), pool);
    }
}
