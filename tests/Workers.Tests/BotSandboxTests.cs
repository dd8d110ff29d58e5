using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.Workers;
using BotSystem.Workers.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Workers.Tests;

public sealed class BotSandboxTests : IDisposable
{
    private static readonly string TestBots = Path.Combine(AppContext.BaseDirectory, "bots");
    private readonly WorkersOptions _options;
    private readonly BotSpawner _spawner;

    public BotSandboxTests()
    {
        _options = new WorkersOptions
        {
            BotsDirectory = TestBots,
            MemoryLimitMb = 256,
            MaxOutputBytes = 64 * 1024,
        };
        _spawner = new BotSpawner(Options.Create(_options), NullLogger<BotSpawner>.Instance);
    }

    private BotProcess Runner => new(Options.Create(_options), _spawner, NullLogger<BotProcess>.Instance);

    public void Dispose() => _spawner.Dispose();

    [Theory]
    [InlineData(BotTypes.Python, "mean")]
    [InlineData(BotTypes.Node, "byStatus")]
    [InlineData(BotTypes.Java, "valid")]
    public async Task Sample_bot_of_each_language_completes_cold_with_progress_and_a_result(string botType, string field)
    {
        var progress = new List<int>();

        var outcome = await RunSampleAsync(botType, new JsonObject { ["durationMs"] = 100 }, progress);

        Assert.Equal(BotRunStatus.Completed, outcome.Status);
        Assert.NotNull(outcome.Result![field]);
        Assert.Equal(100, progress[^1]);
        Assert.True(outcome.PeakMemoryBytes > 0);
    }

    [Theory]
    [InlineData(BotTypes.Python, "rows", "\"lots\"")]
    [InlineData(BotTypes.Python, "durationMs", "-1")]
    [InlineData(BotTypes.Node, "durationMs", "\"slow\"")]
    [InlineData(BotTypes.Node, "records", "\"lots\"")]
    [InlineData(BotTypes.Java, "records", "\"lots\"")]
    [InlineData(BotTypes.Java, "durationMs", "99999999999")]
    public async Task A_sample_bot_given_a_field_it_cannot_use_fails_for_good_naming_the_field(string botType, string field, string value)
    {
        var outcome = await RunSampleAsync(botType, new JsonObject { [field] = JsonNode.Parse(value) }, []);

        Assert.Equal(BotRunStatus.Failed, outcome.Status);
        Assert.False(outcome.Retryable);
        Assert.StartsWith($"payload.{field} must be", outcome.Error);
        Assert.Contains(value, outcome.Error);
    }

    [Theory]
    [InlineData("permanent", BotRunStatus.Failed, false)]
    [InlineData("retryable", BotRunStatus.Failed, true)]
    [InlineData("crash", BotRunStatus.Crashed, true)]
    public async Task Sample_bot_failures_are_classified(string fail, BotRunStatus status, bool retryable)
    {
        var outcome = await RunAsync("python3", [Path.Combine(RepositoryPaths.Root, "Workers", "bots", "python", "data_analysis.py")],
            new JsonObject { ["payload"] = new JsonObject { ["fail"] = fail, ["durationMs"] = 10 } }, TimeSpan.FromSeconds(30));

        Assert.Equal(status, outcome.Status);
        Assert.Equal(retryable, outcome.Retryable);
        Assert.False(string.IsNullOrEmpty(outcome.Error));
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree_within_a_second_of_the_deadline()
    {
        var pids = new List<int>();
        var stopwatch = Stopwatch.StartNew();
        // Long enough for the interpreter to start and report its pids on a machine busy with other tests (5 s once was not,
        // next to the fork bomb's test and a thousand warm jobs).
        var outcome = await Runner.RunAsync(Launch(["-u", Bot("sleeps_forever_with_stubborn_child.py")], TimeSpan.FromSeconds(10)),
            _ => Task.CompletedTask,
            line => { pids.AddRange(JsonNode.Parse(line)!["pids"]!.AsArray().Select(p => p!.GetValue<int>())); return Task.CompletedTask; },
            CancellationToken.None);
        stopwatch.Stop();

        Assert.Equal(BotRunStatus.TimedOut, outcome.Status);
        Assert.InRange(stopwatch.Elapsed.TotalSeconds, 10, 11);
        Assert.True(pids.Count == 2, $"the bot reported pids [{string.Join(", ", pids)}] before its timeout: {outcome}");
        Assert.All(pids, pid => Assert.False(Signals.IsAlive(pid), $"process {pid} survived the timeout"));
    }

    [Fact]
    public async Task A_bot_that_answered_in_time_and_lingers_past_its_timeout_is_killed_and_completes_with_its_answer()
    {
        var outcome = await RunBotAsync("answers_then_lingers.py", TimeSpan.FromSeconds(3));

        Assert.True(outcome.Status == BotRunStatus.Completed, $"the bot ended {outcome.Status}: {outcome.Error}");
        Assert.True(outcome.Result!["answered"]!.GetValue<bool>());
        Assert.False(Signals.IsAlive(outcome.ProcessId), "the lingering bot was left running");
    }

    [Fact]
    public async Task Output_beyond_the_limit_is_dropped_with_a_truncation_marker()
    {
        var logs = new List<string>();
        var outcome = await Runner.RunAsync(Launch([Bot("floods_stdout.py")], TimeSpan.FromSeconds(30)),
            _ => Task.CompletedTask, line => { logs.Add(line); return Task.CompletedTask; }, CancellationToken.None);

        Assert.True(outcome.OutputTruncated);
        Assert.Contains("[output truncated]", logs);
        Assert.True(logs.Sum(line => line.Length) <= _options.MaxOutputBytes + 2000);
    }

    [Fact]
    public async Task A_bot_whose_output_ran_past_the_limit_still_completes_with_the_result_it_writes_last()
    {
        var outcome = await RunBotAsync("floods_stdout.py");

        Assert.True(outcome.Status == BotRunStatus.Completed, $"the bot ended {outcome.Status}: {outcome.Error}");
        Assert.True(outcome.Result!["done"]!.GetValue<bool>());
        Assert.True(outcome.OutputTruncated);
    }

    [Fact]
    public async Task The_bot_sees_no_variable_of_the_worker_and_runs_in_a_removed_temporary_directory()
    {
        Environment.SetEnvironmentVariable("ConnectionStrings__redis", "secret-host:6379");
        Environment.SetEnvironmentVariable("BOTSYSTEM_TEST_SECRET", "do-not-leak");

        var outcome = await RunBotAsync("prints_environment.py");

        var seen = outcome.Result!["environment"]!.AsObject();
        Assert.DoesNotContain(seen, variable => variable.Value!.ToString().Contains("do-not-leak") || variable.Value!.ToString().Contains("secret-host"));
        Assert.DoesNotContain("ConnectionStrings__redis", seen.Select(v => v.Key));
        var cwd = outcome.Result["cwd"]!.GetValue<string>();
        Assert.Equal(cwd, seen["HOME"]!.GetValue<string>());
        Assert.False(Directory.Exists(cwd));
    }

    [Fact]
    public async Task Memory_is_limited_and_a_bot_over_it_fails()
    {
        var outcome = await RunBotAsync("allocates_without_bound.py");

        Assert.Equal(BotRunStatus.Crashed, outcome.Status);
        Assert.True(outcome.PeakMemoryBytes < 300L * 1024 * 1024, $"peak {outcome.PeakMemoryBytes}");
    }

    [Fact]
    public async Task Memory_of_a_node_bot_is_limited_and_a_bot_over_it_fails()
    {
        var launch = await new BotLaunchers(Options.Create(_options)).LaunchFor(new BotJobData
        {
            InvocationId = "inv_test",
            BotType = BotTypes.Node,
            Bot = "allocates_a_gigabyte",
            Payload = new JsonObject(),
            TimeoutSeconds = 60,
        }, CancellationToken.None);

        var outcome = await Runner.RunAsync(launch, _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        Assert.True(outcome.Status == BotRunStatus.Crashed, $"{outcome.Status} holding {outcome.Result?.ToJsonString()}, peak {outcome.PeakMemoryBytes / 1048576} MB");
        Assert.True(outcome.PeakMemoryBytes < 300L * 1024 * 1024, $"peak {outcome.PeakMemoryBytes}");
    }

    [Fact]
    public async Task A_crash_reports_its_exit_code_and_error_output()
    {
        var outcome = await RunBotAsync("crashes.py");

        Assert.Equal(BotRunStatus.Crashed, outcome.Status);
        Assert.Equal(7, outcome.ExitCode);
        Assert.Contains("something broke", outcome.Error);
    }

    [Fact]
    public async Task A_crash_reports_its_error_output_intact_where_a_character_spans_two_reads()
    {
        var outcome = await RunBotAsync("crashes_with_a_character_across_reads.py");

        Assert.Equal(BotRunStatus.Crashed, outcome.Status);
        Assert.Contains("über failed", outcome.Error);
    }

    [Fact]
    public async Task A_result_that_is_not_unicode_text_is_a_protocol_violation_and_other_such_lines_are_kept_as_logs()
    {
        var (outcome, logs, progress) = await RunRecordingAsync("writes_unpaired_surrogates.py");

        Assert.Equal(BotRunStatus.ProtocolViolation, outcome.Status);
        Assert.Contains("not valid Unicode", outcome.Error);
        Assert.Null(outcome.Result);
        Assert.Empty(progress);
        Assert.Equal(2, logs.Count(line => line.Contains("\\ud800") || line.Contains("\\udc00")));
    }

    [Fact]
    public async Task A_result_that_is_not_utf8_is_a_protocol_violation_and_other_such_lines_are_kept_as_logs()
    {
        var (outcome, logs, progress) = await RunRecordingAsync("writes_invalid_utf8.py");

        Assert.True(outcome.Status == BotRunStatus.ProtocolViolation, $"the bot ended {outcome.Status} with {outcome.Result?.ToJsonString()}");
        Assert.Contains("not valid Unicode", outcome.Error);
        Assert.Null(outcome.Result);
        Assert.Empty(progress);
        // Kept as they came, what is not UTF-8 replaced.
        Assert.Equal(["{\"log\":\"Z\uFFFDrich\"}", "{\"progress\":{\"note\":\"caf\uFFFD\"}}"], logs);
    }

    [Fact]
    public async Task Cancelling_kills_the_bot_at_once()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var stopwatch = Stopwatch.StartNew();
        var outcome = await Runner.RunAsync(Launch(["-u", Bot("sleeps_forever_with_stubborn_child.py")], TimeSpan.FromSeconds(60)),
            _ => Task.CompletedTask, _ => Task.CompletedTask, cancellation.Token);

        Assert.Equal(BotRunStatus.Cancelled, outcome.Status);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_bot_that_never_reads_a_request_larger_than_a_pipe_holds_still_times_out_and_is_cancelled()
    {
        var request = new JsonObject { ["payload"] = new string('r', 300 * 1024) };
        var stopwatch = Stopwatch.StartNew();
        var timedOut = await RunAsync("python3", [Bot("never_reads_its_request.py")], request, TimeSpan.FromSeconds(3)).WaitAsync(TimeSpan.FromSeconds(30));
        var timedOutAfter = stopwatch.Elapsed;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        stopwatch.Restart();
        var cancelledAtOnce = await Runner.RunAsync(new BotLaunch(new BotCommand("python3", [Bot("never_reads_its_request.py")]), request.ToJsonString(), TimeSpan.FromSeconds(60)),
            _ => Task.CompletedTask, _ => Task.CompletedTask, cancelled.Token).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(BotRunStatus.TimedOut, timedOut.Status);
        // Started and killed on a loaded machine, it may end a few seconds late; a runner waiting for the request to be read would wait the 30 s out.
        Assert.InRange(timedOutAfter.TotalSeconds, 3, 10);
        Assert.Equal(BotRunStatus.Cancelled, cancelledAtOnce.Status);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"the cancelled bot ran {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_bot_that_writes_more_than_a_pipe_holds_before_reading_a_large_request_completes()
    {
        var request = new JsonObject { ["payload"] = new string('r', 300 * 1024) };
        var options = new WorkersOptions { BotsDirectory = TestBots, MaxOutputBytes = 1024 * 1024 };
        using var spawner = new BotSpawner(Options.Create(options), NullLogger<BotSpawner>.Instance);

        var outcome = await new BotProcess(Options.Create(options), spawner, NullLogger<BotProcess>.Instance)
            .RunAsync(new BotLaunch(new BotCommand("python3", [Bot("writes_before_reading.py")]), request.ToJsonString(), TimeSpan.FromSeconds(30)),
                _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(BotRunStatus.Completed, outcome.Status);
        Assert.Equal(request.ToJsonString().Length, outcome.Result!["requestBytes"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_line_naming_a_member_twice_is_kept_as_a_log_and_the_bot_completes()
    {
        var (outcome, logs, progress) = await RunRecordingAsync("repeats_a_member.py");

        Assert.Equal(BotRunStatus.Completed, outcome.Status);
        Assert.True(outcome.Result!["ok"]!.GetValue<bool>());
        Assert.Contains("""{"log":"first","log":"second"}""", logs);
        Assert.Contains("""{"progress":50,"progress":60}""", logs);
        Assert.Empty(progress);
    }

    [Fact]
    public async Task Progress_is_reported_from_0_to_100_and_a_progress_that_is_no_number_is_kept_as_a_log()
    {
        var (outcome, logs, progress) = await RunRecordingAsync("reports_progress_out_of_range.py");

        Assert.Equal(BotRunStatus.Completed, outcome.Status);
        Assert.Equal(["0", "40", "100", "12.5", "100"], progress.Select(update => update.ToJsonString()));
        Assert.Equal(["""{"progress":"60%"}""", """{"progress":true}""", """{"progress":{"step":2}}"""], logs);
    }

    [Fact]
    public async Task A_bot_whose_result_is_null_completes_with_it()
    {
        var outcome = await Runner.RunAsync(Launch(["-c", "import sys; sys.stdin.read(); print('{\"result\":null}', flush=True)"], TimeSpan.FromSeconds(30)),
            _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        Assert.True(outcome.Status == BotRunStatus.Completed, $"the bot ended {outcome.Status}: {outcome.Error}");
        Assert.Null(outcome.Result);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task A_bot_failing_with_an_empty_error_fails_with_a_reason_that_says_so(string error)
    {
        var line = new JsonObject { ["error"] = error }.ToJsonString();
        var outcome = await Runner.RunAsync(Launch(["-c", $"import sys; sys.stdin.read(); print({JsonSerializer.Serialize(line)}, flush=True)"], TimeSpan.FromSeconds(30)),
            _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal((BotRunStatus.Failed, "The bot reported an error without a message."), (outcome.Status, outcome.Error));
    }

    [Fact]
    public async Task Children_that_left_the_bots_process_group_die_with_it_and_do_not_hold_its_run_open()
    {
        var pids = new List<int>();
        var stopwatch = Stopwatch.StartNew();

        var outcome = await Runner.RunAsync(Launch([Bot("leaves_detached_children.py")], TimeSpan.FromSeconds(20)),
            _ => Task.CompletedTask,
            line => { pids.AddRange(JsonNode.Parse(line)!["pids"]!.AsArray().Select(p => p!.GetValue<int>())); return Task.CompletedTask; },
            CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(BotRunStatus.Completed, outcome.Status);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"the run took {stopwatch.Elapsed}");
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.False(Signals.IsAlive(pid), $"process {pid} outlived the bot"));
    }

    [Fact]
    public async Task The_process_limit_stops_a_fork_bomb_and_its_children_die_with_the_bot()
    {
        var options = new WorkersOptions { BotsDirectory = TestBots, Types = [BotTypes.Python], PythonConcurrency = 1, MaxProcesses = 32 };
        using var spawner = new BotSpawner(Options.Create(options), NullLogger<BotSpawner>.Instance);

        var outcome = await new BotProcess(Options.Create(options), spawner, NullLogger<BotProcess>.Instance)
            .RunAsync(Launch([Bot("forks_without_bound.py")], TimeSpan.FromSeconds(60)), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(BotRunStatus.Completed, outcome.Status);
        Assert.NotNull(outcome.Result!["refused"]?.GetValue<string>());
        Assert.InRange(outcome.Result["forked"]!.GetValue<int>(), 0, options.MaxProcesses - 1);
        var children = outcome.Result["children"]!.AsArray().Select(pid => pid!.GetValue<int>()).ToList();
        Assert.All(children, pid => Assert.False(Signals.IsAlive(pid), $"child {pid} outlived the bot"));
    }

    [Fact]
    public async Task The_process_limit_leaves_a_bot_its_processes_on_top_of_those_its_user_already_runs()
    {
        // RLIMIT_NPROC counts every task of the user: a user running more than the limit (a developer's desktop) could
        // otherwise start no bot that makes a thread, as Node and Java do at once.
        var others = Enumerable.Range(0, 100).Select(_ => Process.Start("sleep", "60")!).ToList();
        try
        {
            var options = new WorkersOptions { BotsDirectory = TestBots, Types = [BotTypes.Python], PythonConcurrency = 1, MaxProcesses = 64 };

            var outcome = await new BotProcess(Options.Create(options), _spawner, NullLogger<BotProcess>.Instance)
                .RunAsync(Launch([Bot("reports_its_process_limit.py")], TimeSpan.FromSeconds(30)), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);

            Assert.Equal(BotRunStatus.Completed, outcome.Status);
            var (limit, userTasks) = (outcome.Result!["limit"]!.GetValue<long>(), outcome.Result["userTasks"]!.GetValue<long>());
            Assert.True(limit - userTasks >= options.MaxProcesses / 2,
                $"the bot may start {limit - userTasks} more processes (limit {limit}, its user runs {userTasks}); {options.MaxProcesses} were due");
        }
        finally
        {
            foreach (var other in others)
            {
                other.Kill();
                other.Dispose();
            }
        }
    }

    private static string Bot(string file) => Path.Combine(TestBots, file);

    /// <summary>Runs the sample bot of a language, cold, with the given payload.</summary>
    private async Task<BotRunOutcome> RunSampleAsync(string botType, JsonObject payload, List<int> progress)
    {
        var options = new WorkersOptions { BotsDirectory = Path.Combine(RepositoryPaths.Root, "Workers", "bots"), WarmHosts = false };
        var launch = await new BotLaunchers(Options.Create(options)).LaunchFor(new BotJobData
        {
            InvocationId = "inv_test",
            BotType = botType,
            Bot = BotCatalog.DefaultBot(botType),
            Payload = payload,
            TimeoutSeconds = 60,
        }, CancellationToken.None);
        Assert.Null(launch.Warm);
        return await new BotProcess(Options.Create(options), _spawner, NullLogger<BotProcess>.Instance)
            .RunAsync(launch, p => { progress.Add(p.GetValue<int>()); return Task.CompletedTask; }, _ => Task.CompletedTask, CancellationToken.None);
    }

    private static BotLaunch Launch(string[] arguments, TimeSpan timeout) => new(new BotCommand("python3", arguments), "{}", timeout);

    /// <summary>Runs a test bot, keeping the progress and log lines it reports.</summary>
    private async Task<(BotRunOutcome Outcome, List<string> Logs, List<JsonNode> Progress)> RunRecordingAsync(string bot)
    {
        var logs = new List<string>();
        var progress = new List<JsonNode>();
        var outcome = await Runner.RunAsync(Launch([Bot(bot)], TimeSpan.FromSeconds(30)),
            update => { progress.Add(update); return Task.CompletedTask; }, line => { logs.Add(line); return Task.CompletedTask; }, CancellationToken.None);
        return (outcome, logs, progress);
    }

    /// <summary>Runs a test bot given an empty request, with a timeout of 30 s unless told.</summary>
    private Task<BotRunOutcome> RunBotAsync(string bot, TimeSpan? timeout = null) =>
        RunAsync("python3", [Bot(bot)], [], timeout ?? TimeSpan.FromSeconds(30));

    private Task<BotRunOutcome> RunAsync(string fileName, string[] arguments, JsonObject request, TimeSpan timeout) =>
        Runner.RunAsync(new BotLaunch(new BotCommand(fileName, arguments), request.ToJsonString(), timeout), _ => Task.CompletedTask, _ => Task.CompletedTask, CancellationToken.None);
}
