using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using BotSystem.Workers;
using BotSystem.Workers.Lifecycle;
using BotSystem.Workers.Runners;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Workers.Tests;

public sealed class WorkerLifecycleTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public Task InitializeAsync() => _redis.InitializeAsync();

    [Fact]
    public async Task A_cancel_reaches_a_later_run_of_an_invocation_whose_earlier_run_here_ended_after_it_started()
    {
        var running = new RunningBots(_redis.Connection, NullLogger<RunningBots>.Instance);
        await running.SubscribeAsync();
        var invocationId = InvocationIds.New();
        // An earlier run whose lock was lost winds up after the job, taken up again, started here once more.
        using var earlier = await running.StartAsync(invocationId, CancellationToken.None);
        using var later = await running.StartAsync(invocationId, CancellationToken.None);
        running.Ended(invocationId, earlier);

        await CancellationSignal.SendAsync(_redis.Connection, invocationId);

        await Eventually.HoldsAsync(() => Task.FromResult(later.IsCancellationRequested), TimeSpan.FromSeconds(10), "the later run was never cancelled");
    }

    [Fact]
    public async Task A_redis_outage_moves_the_worker_to_error_and_back_to_ready_and_SIGTERM_exits_cleanly()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var worker = ServiceProcess.StartService("Workers", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Workers__HeartbeatInterval"] = "00:00:00.500",
        }, "--types", "python");
        await WaitForHealthAsync(worker, url, "Healthy");
        var registered = await _redis.Connection.GetDatabase().SortedSetRangeByRankAsync(WorkerRegistry.IndexKey);
        Assert.Single(registered);
        Assert.Equal("python", (string?)await _redis.Connection.GetDatabase().HashGetAsync(WorkerRegistry.Key(registered[0]!), WorkerRegistry.Types));

        await _redis.StopAsync();
        await WaitForHealthAsync(worker, url, "Unhealthy");
        await Eventually.HoldsAsync(() => Task.FromResult(worker.Output.Contains("-> ERROR")), TimeSpan.FromSeconds(60), "the worker never went to ERROR");
        await _redis.StartAsync();
        await WaitForHealthAsync(worker, url, "Healthy", TimeSpan.FromSeconds(90));

        Assert.Contains("READY -> ERROR", worker.Output.Replace("PROCESSING", "READY"));
        Assert.Contains("ERROR -> HEALTH_CHECK", worker.Output);
        worker.Signal(Signals.SIGTERM);
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(40)), worker.Output);
        Assert.Equal(0, worker.ExitCode);
        Assert.Contains("SHUTTING_DOWN -> STOPPED", worker.Output);
    }

    [Fact]
    public async Task A_bot_runs_on_through_a_redis_outage_and_completes_in_its_first_attempt()
    {
        await using var worker = StartWorker(out var url);
        await WaitForHealthAsync(worker, url, "Healthy");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        // Eight seconds of progress, every 100 ms.
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject { ["ticks"] = 80 });
        await Eventually.HoldsAsync(async () => (await bots.GetJobAsync(jobId))?.Progress is { ValueKind: JsonValueKind.Number } progress && progress.GetInt32() > 0,
            TimeSpan.FromSeconds(30), "the bot never reported progress");

        // Down for longer than the client waits for an answer, so the reports made meanwhile fail rather than wait.
        await _redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await _redis.StartAsync();
        await WaitForHealthAsync(worker, url, "Healthy", TimeSpan.FromSeconds(90));
        await Eventually.HoldsAsync(() => Task.FromResult(_redis.Connection.IsConnected), TimeSpan.FromSeconds(60), "the test's connection never came back");
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) is JobState.Completed or JobState.Failed, TimeSpan.FromSeconds(60), "the job never ended");

        var job = (await bots.GetJobAsync(jobId))!;
        Assert.True(await bots.GetJobStateAsync(jobId) == JobState.Completed, $"the job ended {await bots.GetJobStateAsync(jobId)}: {job.FailedReason}\n{worker.Output}");
        Assert.Equal(1, job.AttemptsStarted);
        Assert.Contains("was not recorded", worker.Output);
    }

    [Fact]
    public async Task A_bot_whose_permit_ran_out_before_it_started_waits_until_its_orchestration_records_a_permit_again()
    {
        await using var worker = StartWorker(out var url);
        await WaitForHealthAsync(worker, url, "Healthy");
        var invocationId = "inv_" + Guid.NewGuid().ToString("N");
        var database = _redis.Connection.GetDatabase();
        // The permit of an orchestrator that died before a runner took the bot job; it has run out since, and another
        // invocation of the type may hold it now.
        await database.HashSetAsync(InvocationRecord.Key(invocationId), InvocationRecord.Lease("lapsed-" + invocationId, TimeSpan.FromSeconds(10)));
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await bots.AddAsync("reports_pid", new BotJobData
        {
            InvocationId = invocationId,
            BotType = BotTypes.Python,
            Bot = "reports_pid",
            Payload = [],
            TimeoutSeconds = 300,
        });

        // Taken twice, it has been looked at again after its first wait, and its bot still not started.
        await Eventually.HoldsAsync(async () => (await bots.GetJobAsync(jobId))!.AttemptsStarted >= 2 || await bots.GetJobStateAsync(jobId) == JobState.Completed,
            TimeSpan.FromSeconds(30), "the bot job was never taken");
        Assert.NotEqual(JobState.Completed, await bots.GetJobStateAsync(jobId));
        Assert.Equal(0, (await bots.GetJobAsync(jobId))!.AttemptsMade);

        // A run of its orchestration taken up again holds a permit of its own.
        var semaphore = new RedisSemaphore(_redis.Connection, BotTypes.Python, 5);
        await using var permit = await semaphore.AcquireAsync();
        await database.HashSetAsync(InvocationRecord.Key(invocationId), InvocationRecord.Lease(permit.Token, permit.LeaseTime));
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Completed, TimeSpan.FromSeconds(15),
            $"the bot never ran once its invocation held a permit again\n{worker.Output}");
    }

    [Fact]
    public async Task A_worker_shows_every_outcome_of_its_bot_types_at_zero_before_its_first_run()
    {
        await using var worker = StartWorker(out var url);
        await WaitForHealthAsync(worker, url, "Healthy");

        // A series that first appears with a failure in it shows no increase to rate(): the error-rate alert would miss it.
        var executions = (await PrometheusExposition.ScrapeAsync($"{url}/metrics")).Where(sample => sample.Name == "bot_executions_total").ToList();
        Assert.Equal(["cancelled", "completed", "failed"], executions.Where(sample => sample.Label("bot_type") == "python").Select(sample => sample.Label("status")).Order());
        Assert.All(executions, sample => Assert.Equal(0, sample.Value));
    }

    [Fact]
    public async Task A_worker_cut_off_redis_kills_its_bot_before_another_worker_starts_the_job_again()
    {
        (string, string?)[] quick = [("Workers__LockDuration", "00:00:04"), ("Workers__StalledInterval", "00:00:01")];
        await using var cutter = new RedisConnectionCutter(_redis);
        await using var first = StartWorker(out var firstUrl, [.. quick, ("ConnectionStrings__redis", cutter.ConnectionString)]);
        await WaitForHealthAsync(first, firstUrl, "Healthy");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject { ["hang"] = true });
        var firstRun = await LoggedPidsAsync(bots, jobId, runs: 1);

        // Cut off for longer than its lock lasts: the stalled-job sweep hands the job to the second worker meanwhile.
        var partition = cutter.PartitionAsync(TimeSpan.FromSeconds(25));
        await using var second = StartWorker(out _, quick);
        var secondRun = (await LoggedPidsAsync(bots, jobId, runs: 2)).Except(firstRun).ToArray();

        Assert.NotEmpty(secondRun);
        Assert.All(firstRun, pid => Assert.False(Signals.IsAlive(pid), $"bot process {pid} of the first run lived on into the second\n{first.Output}"));
        Assert.Contains($"job {jobId} is stopped and left to another run", first.Output);
        // The run stopped for another to take over is no execution's end.
        Assert.DoesNotContain(await PrometheusExposition.ScrapeAsync($"{firstUrl}/metrics"),
            sample => sample.Name == "bot_executions_total" && sample.Label("status") == "cancelled" && sample.Value > 0);
        await partition;
        await CancellationSignal.SendAsync(_redis.Connection, (await bots.GetJobAsync(jobId))!.GetData<BotJobData>()!.InvocationId);
    }

    // The pids the bot logged once the job has run the given number of times.
    private static async Task<int[]> LoggedPidsAsync(Queue bots, string jobId, int runs)
    {
        int[] pids = [];
        await Eventually.HoldsAsync(async () =>
        {
            var lines = await bots.GetJobLogsAsync(jobId);
            pids = [.. lines.SelectMany(line => JsonNode.Parse(line)!["pids"]!.AsArray().Select(pid => pid!.GetValue<int>()))];
            return lines.Count >= runs;
        }, TimeSpan.FromSeconds(60), $"the bot never logged its pids in run {runs}");
        return pids;
    }

    [Fact]
    public async Task A_running_bot_keeps_the_permit_its_invocation_record_names_taken_past_its_lease_renewing_it_for_the_lease_time_named_there()
    {
        await using var worker = StartWorker(out var url, ("MAX_PYTHON_BOTS", "1"));
        await WaitForHealthAsync(worker, url, "Healthy");
        // The permit an orchestration took, which nothing else renews: as if its orchestrator were cut off Redis.
        var leaseTime = TimeSpan.FromSeconds(3);
        var semaphore = new RedisSemaphore(_redis.Connection, BotTypes.Python, 1, new RedisSemaphoreOptions { LeaseTime = leaseTime });
        var permit = await semaphore.AcquireAsync();
        await permit.DetachAsync();
        var invocationId = "inv_" + Guid.NewGuid().ToString("N");
        await _redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(invocationId), InvocationRecord.Lease(permit.Token, leaseTime));
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await bots.AddAsync("reports_pid", new BotJobData
        {
            InvocationId = invocationId,
            BotType = BotTypes.Python,
            Bot = "reports_pid",
            Payload = new JsonObject { ["ticks"] = 100 },
            TimeoutSeconds = 300,
        });
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Active, TimeSpan.FromSeconds(30), $"the bot never started\n{worker.Output}");

        // Renewed for the worker's default lease instead, the permit of a bot whose worker died would outlast the
        // orchestrator's lease, holding a place past the time the configuration says.
        var longestLeft = TimeSpan.Zero;
        for (var watched = Stopwatch.StartNew(); watched.Elapsed < leaseTime * 2;)
        {
            var holder = Assert.Single(await semaphore.GetHoldersAsync());
            Assert.Equal(permit.Token, holder.Token);
            longestLeft = TimeSpan.FromTicks(Math.Max(longestLeft.Ticks, (holder.ExpiresAt - DateTimeOffset.UtcNow).Ticks));
            await Task.Delay(100);
        }

        Assert.Equal(JobState.Active, await bots.GetJobStateAsync(jobId));
        Assert.InRange(longestLeft, TimeSpan.FromSeconds(1), leaseTime + TimeSpan.FromMilliseconds(500));
        Assert.Null(await semaphore.TryAcquireAsync());
    }

    [Fact]
    public async Task A_worker_starting_on_the_machine_kills_the_bots_a_killed_worker_left_running()
    {
        await using var first = StartWorker(out var firstUrl);
        await WaitForHealthAsync(first, firstUrl, "Healthy");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject { ["hang"] = true });
        int[] pids = [];
        await Eventually.HoldsAsync(async () =>
            (pids = [.. (await bots.GetJobLogsAsync(jobId)).SelectMany(line => JsonNode.Parse(line)!["pids"]!.AsArray().Select(pid => pid!.GetValue<int>()))]).Length > 0,
            TimeSpan.FromSeconds(30), "the bot never logged its pids");
        Assert.Equal(2, pids.Length);

        first.Signal(Signals.SIGKILL);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        // The next worker to start on the machine kills them (in a whole test run, another test's worker may be first).
        await using var second = StartWorker(out var secondUrl);
        await WaitForHealthAsync(second, secondUrl, "Healthy");

        await Eventually.HoldsAsync(() => Task.FromResult(!pids.Any(Signals.IsAlive)), TimeSpan.FromSeconds(10), "the killed worker's bots never died");
        Assert.All(pids, pid => Assert.False(Signals.IsAlive(pid), $"bot process {pid} outlived its killed worker"));
    }

    [Fact]
    public async Task The_job_of_a_worker_killed_outright_runs_again_within_the_configured_lock_and_stalled_times()
    {
        (string, string?)[] quick = [("Workers__LockDuration", "00:00:02"), ("Workers__StalledInterval", "00:00:01")];
        await using var first = StartWorker(out var firstUrl, quick);
        await WaitForHealthAsync(first, firstUrl, "Healthy");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject { ["sleepMs"] = 3000 });
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Active, TimeSpan.FromSeconds(30), "the bot never started");
        await Task.Delay(500);

        first.Signal(Signals.SIGKILL);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var killedAt = DateTime.UtcNow;
        await using var second = StartWorker(out _, quick);
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Completed, TimeSpan.FromSeconds(30), "the job never completed on the next worker");

        // The default (30 s each) would take it up again only after 30 to 90 s; a loaded machine's worker may take 20 s to start and run it.
        Assert.Equal(JobState.Completed, await bots.GetJobStateAsync(jobId));
        Assert.InRange(DateTime.UtcNow - killedAt, TimeSpan.Zero, TimeSpan.FromSeconds(27));
    }

    [Fact]
    public async Task A_worker_stopped_while_its_bot_outlasts_the_shutdown_deadline_hands_the_job_back_and_the_next_worker_completes_it()
    {
        await using var first = StartWorker(out var firstUrl, ("Workers__ShutdownDeadline", "00:00:01"));
        await WaitForHealthAsync(first, firstUrl, "Healthy");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject { ["ticks"] = 40 });
        // Its bot's progress, not the job's state: a job taken as the worker stops is handed back before its bot starts.
        await Eventually.HoldsAsync(async () => (await bots.GetJobAsync(jobId))?.Progress is not null, TimeSpan.FromSeconds(30), "the bot never started");

        first.Signal(Signals.SIGTERM);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Output);
        var handedBack = await bots.GetJobStateAsync(jobId);
        Assert.True(handedBack == JobState.Waiting, $"the job was left {handedBack}: {(await bots.GetJobAsync(jobId))?.FailedReason}\n{first.Output}");

        await using var second = StartWorker(out _);
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) is JobState.Completed or JobState.Failed, TimeSpan.FromSeconds(60), "the job never ended");
        var job = (await bots.GetJobAsync(jobId))!;
        Assert.True(await bots.GetJobStateAsync(jobId) == JobState.Completed, $"the job ended failed: {job.FailedReason}\n{second.Output}");
    }

    [Fact]
    public async Task A_worker_whose_subscription_to_cancellations_meets_a_dropped_connection_stays_up_and_its_bots_can_be_cancelled()
    {
        await using var cutter = new RedisConnectionCutter(_redis);
        // The connection drops as the runner subscribes to cancellations, once the worker is ready.
        cutter.CutOnceWhenSent($"{CancellationSignal.Channel}\r\n");
        await using var worker = StartWorker(out var url, ("ConnectionStrings__redis", cutter.ConnectionString));
        await Eventually.HoldsAsync(() => Task.FromResult(cutter.Cuts == 1), TimeSpan.FromSeconds(60), $"the runner never subscribed\n{worker.Output}");
        await WaitForHealthAsync(worker, url, "Healthy");

        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject { ["sleepMs"] = 120_000 });
        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Active, TimeSpan.FromSeconds(30), $"the bot never started\n{worker.Output}");
        await CancellationSignal.SendAsync(_redis.Connection, (await bots.GetJobAsync(jobId))!.GetData<BotJobData>()!.InvocationId);

        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) is JobState.Completed or JobState.Failed, TimeSpan.FromSeconds(30),
            $"the cancelled bot ran on\n{worker.Output}");
        Assert.False(worker.HasExited, worker.Output);
    }

    [Fact]
    public async Task A_runner_stopped_while_it_subscribes_to_cancellations_leaves_nothing_taking_jobs()
    {
        await using var cutter = new RedisConnectionCutter(_redis);
        // Redis answers the runner's subscription only after the runner was told to stop.
        cutter.StallOnceWhenSent($"{CancellationSignal.Channel}\r\n", TimeSpan.FromSeconds(2));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cutter.ConnectionString);
        var options = Options.Create(new WorkersOptions { Types = [BotTypes.Python], BotsDirectory = Path.Combine(AppContext.BaseDirectory, "bots") });
        var lifecycle = new WorkerLifecycle(NullLogger<WorkerLifecycle>.Instance);
        lifecycle.TransitionTo(WorkerState.READY, "registered");
        using var spawner = new BotSpawner(options, NullLogger<BotSpawner>.Instance);
        await using var warmHosts = new WarmHostPool(options, spawner, NullLogger<WarmHostPool>.Instance);
        using var runner = new BotQueueRunner(redis,
            new BotRunner(new BotLaunchers(options), new BotProcess(options, spawner, NullLogger<BotProcess>.Instance), warmHosts),
            new RunningBots(redis, NullLogger<RunningBots>.Instance),
            new BotPermits(redis, new ConfigurationBuilder().Build(), NullLogger<BotPermits>.Instance),
            new RunnerMetrics(lifecycle, options), lifecycle, options, NullLogger<BotQueueRunner>.Instance);
        await runner.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(cutter.Stalls == 1), TimeSpan.FromSeconds(30), "the runner never subscribed");

        await runner.StopAsync(CancellationToken.None);

        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var jobId = await AddReportsPidJobAsync(bots, new JsonObject());
        await Task.Delay(TimeSpan.FromSeconds(2));
        var job = (await bots.GetJobAsync(jobId))!;
        Assert.True(job.AttemptsStarted == 0, $"the stopped runner took a job {job.AttemptsStarted} times, leaving it {await bots.GetJobStateAsync(jobId)}");
    }

    [Fact]
    public async Task A_java_bot_that_does_not_compile_fails_at_its_first_attempt_naming_the_compile_error()
    {
        await using var worker = StartWorker(BotTypes.Java, out var url);
        await WaitForHealthAsync(worker, url, "Healthy");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Java), _redis.Connection);
        var jobId = await bots.AddAsync("does_not_compile", new BotJobData
        {
            InvocationId = "inv_" + Guid.NewGuid().ToString("N"),
            BotType = BotTypes.Java,
            Bot = "does_not_compile",
            Payload = new JsonObject(),
            TimeoutSeconds = 60,
        }, new JobOptions { Attempts = 3, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(100)) });

        await Eventually.HoldsAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Failed, TimeSpan.FromSeconds(90), $"the job never failed\n{worker.Output}");

        var job = (await bots.GetJobAsync(jobId))!;
        Assert.Equal(1, job.AttemptsMade);
        Assert.Contains("DoesNotCompile.java", job.FailedReason);
        Assert.Contains("incompatible types", job.FailedReason);
    }

    [Fact]
    public async Task A_java_compile_that_hangs_holds_up_no_other_java_bot_and_is_killed_when_its_job_is_cancelled()
    {
        var bots = JavaBotsDirectory();
        var javac = JavacThatHangsOn("HangsCompiling", bots);
        try
        {
            await using var worker = StartWorker(BotTypes.Java, out var url, ("Workers__BotsDirectory", bots), ("PATH", javac.Path));
            await WaitForHealthAsync(worker, url, "Healthy");
            await using var queue = new Queue(QueueNames.Bots(BotTypes.Java), _redis.Connection);
            var hanging = await AddJavaJobAsync(queue, "hangs_compiling");
            await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(javac.PidFile)), TimeSpan.FromSeconds(30), $"its compile never started\n{worker.Output}");

            var answering = await AddJavaJobAsync(queue, "answers");
            await Eventually.HoldsAsync(async () => await queue.GetJobStateAsync(answering) is JobState.Completed or JobState.Failed, TimeSpan.FromSeconds(60),
                $"the other java bot waited on the hanging compile\n{worker.Output}");
            Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(answering));

            await CancellationSignal.SendAsync(_redis.Connection, (await queue.GetJobAsync(hanging))!.GetData<BotJobData>()!.InvocationId);
            var pid = int.Parse(await File.ReadAllTextAsync(javac.PidFile));
            await Eventually.HoldsAsync(() => Task.FromResult(!Signals.IsAlive(pid)), TimeSpan.FromSeconds(10), $"javac outlived its cancelled job\n{worker.Output}");
        }
        finally
        {
            Directory.Delete(bots, recursive: true);
        }
    }

    [Fact]
    public async Task A_java_compile_that_outlasts_the_compile_timeout_fails_its_attempt_and_is_killed()
    {
        var bots = JavaBotsDirectory();
        var javac = JavacThatHangsOn("HangsCompiling", bots);
        try
        {
            await using var worker = StartWorker(BotTypes.Java, out var url,
                ("Workers__BotsDirectory", bots), ("PATH", javac.Path), ("Workers__JavaCompileTimeout", "00:00:02"));
            await WaitForHealthAsync(worker, url, "Healthy");
            await using var queue = new Queue(QueueNames.Bots(BotTypes.Java), _redis.Connection);

            var jobId = await AddJavaJobAsync(queue, "hangs_compiling");

            await Eventually.HoldsAsync(async () => await queue.GetJobStateAsync(jobId) == JobState.Failed, TimeSpan.FromSeconds(30), $"the job never failed\n{worker.Output}");
            Assert.Contains("javac", (await queue.GetJobAsync(jobId))!.FailedReason);
            var pid = int.Parse(await File.ReadAllTextAsync(javac.PidFile));
            await Eventually.HoldsAsync(() => Task.FromResult(!Signals.IsAlive(pid)), TimeSpan.FromSeconds(10), $"javac outlived its compile timeout\n{worker.Output}");
        }
        finally
        {
            Directory.Delete(bots, recursive: true);
        }
    }

    [Fact]
    public async Task A_java_bot_of_a_worker_started_without_a_locale_compiles_and_answers_in_utf8()
    {
        // Unique, so the worker compiles it rather than finding it in the compile cache.
        var bots = JavaBotsDirectoryOf(("Greets", $$$"""
            // {{{Guid.NewGuid()}}}
            public final class Greets {
                public static void main(String[] args) {
                    System.out.println("{\"result\":{\"greeting\":\"Grüße aus Zürich\"}}");
                }
            }
            """));
        try
        {
            // As in a container or a service manager that sets no locale: the POSIX locale, whose charset is ASCII.
            await using var worker = StartWorker(BotTypes.Java, out var url,
                ("Workers__BotsDirectory", bots), ("LANG", null), ("LC_ALL", null), ("LC_CTYPE", null));
            await WaitForHealthAsync(worker, url, "Healthy");
            await using var queue = new Queue(QueueNames.Bots(BotTypes.Java), _redis.Connection);

            var jobId = await AddJavaJobAsync(queue, "greets");

            await Eventually.HoldsAsync(async () => await queue.GetJobStateAsync(jobId) is JobState.Completed or JobState.Failed, TimeSpan.FromSeconds(60),
                $"the job never ended\n{worker.Output}");
            var job = (await queue.GetJobAsync(jobId))!;
            Assert.True(await queue.GetJobStateAsync(jobId) == JobState.Completed, $"the job failed: {job.FailedReason}");
            var run = job.ReturnValue!.Value.Deserialize<BotRunResult>(JsonSerializerOptions.Web)!;
            Assert.Equal("Grüße aus Zürich", run.Result!["greeting"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(bots, recursive: true);
        }
    }

    /// <summary>
    /// A bots directory of two java bots: <c>hangs_compiling</c> and <c>answers</c>, the latter new to the compile cache
    /// (its source is unique), so the worker compiles it.
    /// </summary>
    private static string JavaBotsDirectory() => JavaBotsDirectoryOf(
        ("HangsCompiling", """
            public final class HangsCompiling {
                public static void main(String[] args) {
                    System.out.println("{\"result\":{}}");
                }
            }
            """),
        ("Answers", $$$"""
            // {{{Guid.NewGuid()}}}
            public final class Answers {
                public static void main(String[] args) {
                    System.out.println("{\"result\":{\"answer\":42}}");
                }
            }
            """));

    /// <summary>A new bots directory holding the given java bots' sources.</summary>
    private static string JavaBotsDirectoryOf(params (string ClassName, string Source)[] sources)
    {
        var bots = Directory.CreateTempSubdirectory("botsystem-java-bots-").FullName;
        var java = Directory.CreateDirectory(Path.Combine(bots, BotTypes.Java)).FullName;
        foreach (var (className, source) in sources)
        {
            File.WriteAllText(Path.Combine(java, className + ".java"), source);
        }
        return bots;
    }

    /// <summary>
    /// A PATH whose <c>javac</c> hangs on the given class, noting its pid in <c>PidFile</c>, and hands every other
    /// compile to the real javac.
    /// </summary>
    private static (string Path, string PidFile) JavacThatHangsOn(string className, string directory)
    {
        var bin = Directory.CreateDirectory(Path.Combine(directory, "bin")).FullName;
        var pidFile = Path.Combine(directory, "javac.pid");
        var script = Path.Combine(bin, "javac");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            case "$*" in *{{className}}.java*) echo $$ > "{{pidFile}}"; exec sleep 120;; esac
            PATH="${PATH#*:}" exec javac "$@"
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return ($"{bin}:{Environment.GetEnvironmentVariable("PATH")}", pidFile);
    }

    private static Task<string> AddJavaJobAsync(Queue bots, string bot) =>
        bots.AddAsync(bot, new BotJobData
        {
            InvocationId = "inv_" + Guid.NewGuid().ToString("N"),
            BotType = BotTypes.Java,
            Bot = bot,
            Payload = new JsonObject(),
            TimeoutSeconds = 60,
        });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _redis.DisposeAsync();
    }

    /// <summary>A job for the test bot that reports its pid, with the given payload.</summary>
    private static Task<string> AddReportsPidJobAsync(Queue bots, JsonObject payload) =>
        bots.AddAsync("reports_pid", new BotJobData
        {
            InvocationId = "inv_" + Guid.NewGuid().ToString("N"),
            BotType = BotTypes.Python,
            Bot = "reports_pid",
            Payload = payload,
            TimeoutSeconds = 300,
        });

    /// <summary>A worker of python bots from the test bots (cold runs and warm hosts alike).</summary>
    private ServiceProcess StartWorker(out string url, params (string Name, string? Value)[] settings) =>
        StartWorker(BotTypes.Python, out url, settings);

    /// <summary>A worker of one type's bots from the test bots; a setting without a value is removed from its environment.</summary>
    private ServiceProcess StartWorker(string botType, out string url, params (string Name, string? Value)[] settings)
    {
        url = $"http://127.0.0.1:{FreePort.Next()}";
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Workers__BotsDirectory"] = Path.Combine(AppContext.BaseDirectory, "bots"),
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }
        return ServiceProcess.StartService("Workers", environment, "--types", botType);
    }

    private async Task WaitForHealthAsync(ServiceProcess worker, string url, string expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await _http.GetAsync($"{url}/health");
                last = await response.Content.ReadAsStringAsync();
                if (last == expected)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            await Task.Delay(200);
        }
        var state = worker.HasExited ? $"exited with {worker.ExitCode}" : "running";
        throw new TimeoutException($"/health stayed '{last}', never '{expected}'; the worker is {state}:\n{worker.Output}");
    }
}
