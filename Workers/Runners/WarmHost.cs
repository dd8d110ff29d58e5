using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace BotSystem.Workers.Runners;

/// <summary>
/// A long-lived host interpreter, sandboxed like a cold bot, that has loaded one bot and serves its jobs one at a
/// time over the same JSON-lines protocol: a request line in; the bot's lines out, then <c>{"jobEnd":n}</c>. It
/// retires after its job budget, after a job that left a process running, or when it dies, times out or is cancelled (its
/// whole process group is killed).
/// </summary>
internal sealed class WarmHost : IAsyncDisposable
{
    private readonly SandboxedProcess _process;
    private readonly BotOutputReader _reader;
    private readonly int _maxJobs;
    private int _served;

    private WarmHost(string key, SandboxedProcess process, int maxJobs, WorkersOptions limits)
    {
        Key = key;
        _process = process;
        _maxJobs = maxJobs;
        _reader = new BotOutputReader(process.StandardOutput, limits.MaxOutputBytes, limits.MaxResultBytes);
    }

    /// <summary>Which bot the host serves; hosts with the same key are interchangeable.</summary>
    public string Key { get; }

    public int ProcessId => _process.Id;

    /// <summary>Whether the host must serve no more jobs: its budget is spent, its last job left a process running, or it died or was killed.</summary>
    public bool Retired { get; private set; }

    /// <summary>Whether the host's process has ended, by itself or killed, since its last job.</summary>
    public bool HasExited => _process.HasExited;

    public static WarmHost Start(BotLaunch launch, WorkersOptions limits, BotSpawner spawner, ILogger logger)
    {
        var hosting = launch.Warm ?? throw new ArgumentException("The launch is not for a warm bot.", nameof(launch));
        return new WarmHost(hosting.Key, SandboxedProcess.Start(launch.Command, limits, spawner, logger), hosting.MaxJobs, limits);
    }

    public async Task<BotRunOutcome> RunAsync(string requestJson, TimeSpan timeout, Func<JsonNode, Task> onProgress, Func<string, Task> onLog, CancellationToken cancellation)
    {
        var stopwatch = Stopwatch.StartNew();
        var endOfJob = "{\"jobEnd\":" + (++_served).ToString(CultureInfo.InvariantCulture) + "}";
        _process.ResetPeakMemory();

        using var timer = new CancellationTokenSource(timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellation);
        var killOnStop = stop.Token.Register(_process.Kill);
        BotOutput output;
        try
        {
            await SendAsync(requestJson);
            output = await _reader.ReadJobAsync(endOfJob, onProgress, onLog);
        }
        finally
        {
            // Once unregistered no late timer can kill the host behind the next job's back.
            await killOnStop.DisposeAsync();
        }

        int? exitCode = null;
        var peakMemory = 0L;
        if (output.Ended && !stop.IsCancellationRequested)
        {
            peakMemory = _process.PeakMemoryBytes();
            _process.ClearWorkDirectory();
            // A process the job left running would write into the next job's output; it goes with its host, as it
            // would with a cold run.
            Retired = _served >= _maxJobs || _process.HasLiveChildren();
        }
        else
        {
            Retired = true;
            if (!output.Ended)
            {
                // The host closed its output: it died (or was killed), and its exit code says how.
                using var killAtDeadline = stop.Token.Register(_process.Kill);
                exitCode = await _process.WaitForExitAsync();
            }
            _process.Kill();
            await _process.ErrorOutputClosed;
        }

        return output.Outcome(new BotRunEnd(cancellation.IsCancellationRequested, timer.IsCancellationRequested, timeout,
            exitCode, exitCode is null ? "" : _process.ErrorSummary(), stopwatch.Elapsed, peakMemory, _process.Id));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task SendAsync(string requestJson)
    {
        try
        {
            await _process.StandardInput.WriteAsync(requestJson + "\n");
        }
        catch (IOException)
        {
            // The host is gone; reading its output finds the end and its exit code tells why.
        }
    }
}
