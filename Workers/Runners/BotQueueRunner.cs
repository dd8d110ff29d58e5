using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using BotSystem.Workers.Lifecycle;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.Workers.Runners;

/// <summary>
/// One engine worker per served bot type on <c>bots-&lt;type&gt;</c>: runs each job's bot, streams its
/// progress and logs to the job, and fails retryable errors normally (the engine's backoff applies)
/// and the others as unrecoverable.
/// </summary>
public sealed class BotQueueRunner(
    IConnectionMultiplexer redis,
    BotRunner botRunner,
    RunningBots runningBots,
    BotPermits permits,
    RunnerMetrics metrics,
    WorkerLifecycle lifecycle,
    IOptions<WorkersOptions> options,
    ILogger<BotQueueRunner> logger) : BackgroundService
{
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LapsedPermitRecheck = TimeSpan.FromSeconds(1);
    // The engine workers and whether the runner stops, changed together: a stop meeting the runner as it starts
    // (SIGTERM while it waits for readiness or for its subscription) closes every worker made, or none is made.
    private readonly Lock _workersGate = new();
    private readonly List<Worker> _workers = [];
    private bool _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!lifecycle.CanClaim)
        {
            await Task.Delay(ReadyPoll, stoppingToken);
        }
        // Thrown, a drop of Redis as the runner becomes ready (a restart, a failover) would stop the whole process.
        await RedisOutage.WaitOutAsync(runningBots.SubscribeAsync,
            ex => logger.LogWarning("Subscribing to cancellations waits for Redis: {Message}", ex.Message), stoppingToken);
        lock (_workersGate)
        {
            if (_stopping)
            {
                return;
            }
            foreach (var botType in options.Value.Types)
            {
                var worker = new Worker(QueueNames.Bots(botType), redis, (job, ct) => RunAsync(botType, job, ct), new WorkerOptions
                {
                    Concurrency = options.Value.ConcurrencyOf(botType),
                    Name = lifecycle.WorkerId,
                    LockDuration = options.Value.LockDuration,
                    StalledInterval = options.Value.StalledInterval,
                });
                worker.LockLost += job =>
                    logger.LogWarning("{BotType} job {JobId} is stopped and left to another run: its lock could not be kept", botType, job.Id);
                _workers.Add(worker);
                logger.LogInformation("Running {BotType} bots from {Queue} with concurrency {Concurrency}", botType, QueueNames.Bots(botType), options.Value.ConcurrencyOf(botType));
            }
        }
        await runningBots.SweepUntilStoppedAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        lifecycle.TransitionTo(WorkerState.SHUTTING_DOWN, "stop requested");
        Worker[] workers;
        lock (_workersGate)
        {
            _stopping = true;
            workers = [.. _workers];
        }
        await Task.WhenAll(workers.Select(worker => worker.CloseAsync(options.Value.ShutdownDeadline)));
        await base.StopAsync(cancellationToken);
        lifecycle.TransitionTo(WorkerState.STOPPED, "every runner closed");
    }

    private async Task<object?> RunAsync(string botType, ActiveJob job, CancellationToken processing)
    {
        // A job taken as Redis came back, before this worker is registered again, waits for it; one taken as the worker
        // stops goes back for another. Neither is an attempt of its bot.
        while (!lifecycle.CanClaim)
        {
            if (lifecycle.State is WorkerState.SHUTTING_DOWN or WorkerState.STOPPED)
            {
                await job.MoveToDelayedAsync(TimeSpan.Zero, processing);
                return null;
            }
            await Task.Delay(ReadyPoll, processing);
        }
        var data = job.ReadData<BotJobData>();
        var permit = await permits.HoldAsync(data, processing);
        if (permit.HasLapsed)
        {
            // Its orchestrator died before a runner took the job, and the permit ran out meanwhile: started now, the bot
            // could run past its type's limit. It waits for a run of its orchestration to record a permit again.
            logger.LogInformation("{BotType} bot of {InvocationId} waits: the permit its record names has run out", botType, data.InvocationId);
            await job.MoveToDelayedAsync(LapsedPermitRecheck, processing);
            return null;
        }
        try
        {
            return await RunBotAsync(botType, job, data, processing);
        }
        finally
        {
            if (permit.Lease is { } lease)
            {
                // Kept taken: the orchestrator hands it back once it has seen how the bot ended.
                await lease.DetachAsync();
            }
        }
    }

    private async Task<object?> RunBotAsync(string botType, ActiveJob job, BotJobData data, CancellationToken processing)
    {
        using var cancellation = await runningBots.StartAsync(data.InvocationId, processing);
        lifecycle.JobStarted();
        try
        {
            var outcome = await botRunner.RunAsync(data,
                progress => ReportAsync(data, "progress", () => job.UpdateProgressAsync(progress)),
                line => ReportAsync(data, "log line", () => job.AddLogAsync(line)),
                cancellation.Token);
            logger.LogInformation("{BotType} bot {Bot} of {InvocationId}: {Status} in {Duration} ms by pid {Pid}, peak {PeakMb:0.0} MB",
                botType, data.Bot, data.InvocationId, outcome.Status, (long)outcome.Duration.TotalMilliseconds, outcome.ProcessId, outcome.PeakMemoryBytes / 1048576.0);
            // Stopped by the job engine (the job's lock could not be kept, or the worker hands its jobs back as it stops), the
            // job runs again: this run is no execution's end, and its job is not finished here.
            processing.ThrowIfCancellationRequested();
            metrics.Record(botType, outcome.Status == BotRunStatus.Completed ? InvocationStatus.Completed
                : outcome.Status == BotRunStatus.Cancelled ? InvocationStatus.Cancelled : InvocationStatus.Failed, outcome.Duration);
            return outcome.Status switch
            {
                BotRunStatus.Completed => new BotRunResult
                {
                    Result = outcome.Result,
                    DurationMs = (long)outcome.Duration.TotalMilliseconds,
                    PeakMemoryBytes = outcome.PeakMemoryBytes,
                    ExitCode = outcome.ExitCode ?? 0,
                },
                _ when outcome.Retryable => throw new BotFailedException(outcome.Error!),
                _ => throw new UnrecoverableException(outcome.Error ?? outcome.Status.ToString()),
            };
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new UnrecoverableException(ex.Message, ex);
        }
        finally
        {
            runningBots.Ended(data.InvocationId, cancellation);
            lifecycle.JobEnded();
        }
    }

    // A bot outlives an outage of Redis (a restart, a failover): what it reports meanwhile is lost, and its next
    // progress supersedes the lost one, but its run and its result are not. Its lock outlasts a short outage.
    private async Task ReportAsync(BotJobData data, string what, Func<Task> report)
    {
        try
        {
            await report();
        }
        catch (Exception ex) when (RedisOutage.Is(ex))
        {
            logger.LogWarning("{BotType} bot {Bot} of {InvocationId} runs on, but a {What} of it was not recorded: {Message}",
                data.BotType, data.Bot, data.InvocationId, what, ex.Message);
        }
    }
}

/// <summary>A bot failure worth retrying (timeout, crash, or a bot-declared retryable error).</summary>
public sealed class BotFailedException(string message) : Exception(message);
