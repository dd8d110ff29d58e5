using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Runs one bot cold, as a sandboxed subprocess of its own (see <see cref="SandboxedProcess"/>): writes the request to
/// its stdin, reads its JSON lines until it exits, and kills its whole process group on timeout or cancel.
/// </summary>
public sealed class BotProcess(IOptions<WorkersOptions> options, BotSpawner spawner, ILogger<BotProcess> logger)
{
    private static readonly TimeSpan MemorySampleInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ExitPoll = TimeSpan.FromMilliseconds(100);

    public async Task<BotRunOutcome> RunAsync(BotLaunch launch, Func<JsonNode, Task> onProgress, Func<string, Task> onLog, CancellationToken cancellation)
    {
        var limits = options.Value;
        var stopwatch = Stopwatch.StartNew();
        await using var process = SandboxedProcess.Start(launch.Command, limits, spawner, logger);
        // Armed before the request is written, which waits while the bot does not read it.
        using var timeout = new CancellationTokenSource(launch.Timeout);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellation);
        var killOnStop = stop.Token.Register(process.Kill);
        var peakMemory = 0L;
        var sampler = SampleMemoryAsync(process, bytes => peakMemory = Math.Max(peakMemory, bytes), stop.Token);

        BotOutput output;
        int exitCode;
        try
        {
            // Written while the output is read: a bot writing much before it reads its request would wait for the
            // runner to read, while the runner waited for it to read.
            var writing = WriteRequestAsync(process, launch.RequestJson);
            var reading = new BotOutputReader(process.StandardOutput, limits.MaxOutputBytes, limits.MaxResultBytes)
                .ReadJobAsync(endOfJob: null, onProgress, onLog);
            if (await Task.WhenAny(reading, ExitedAsync(process, stop.Token)) == reading)
            {
                // Rethrows what failed the reading, which the bot's exit would otherwise wait for.
                await reading;
            }
            exitCode = await process.WaitForExitAsync();
            // Whatever the bot left behind goes with it, also what holds its output open, which would keep the run going.
            await process.KillGroupAsync();
            output = await reading;
            await writing;
            await process.ErrorOutputClosed;
        }
        finally
        {
            // A bot that ended is killed already, with all it left.
            await killOnStop.DisposeAsync();
            await stop.CancelAsync();
            await sampler;
        }

        return output.Outcome(new BotRunEnd(cancellation.IsCancellationRequested, timeout.IsCancellationRequested, launch.Timeout,
            exitCode, process.ErrorSummary(), stopwatch.Elapsed, peakMemory, process.Id));
    }

    private static async Task WriteRequestAsync(SandboxedProcess process, string requestJson)
    {
        try
        {
            await process.StandardInput.WriteAsync(requestJson);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The bot exited without reading its request; its exit status tells why.
        }
    }

    /// <summary>
    /// Completes once the bot has exited, looked at every <see cref="ExitPoll"/>: what it started may hold its output open
    /// past its end. It is looked at, not reaped: reaping polls quickly only at first, so it starts once the output ends,
    /// when the bot exits at once.
    /// </summary>
    private static async Task ExitedAsync(SandboxedProcess process, CancellationToken stop)
    {
        try
        {
            while (!process.HasExited)
            {
                await Task.Delay(ExitPoll, stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static async Task SampleMemoryAsync(SandboxedProcess process, Action<long> record, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            record(process.PeakMemoryBytes());
            try
            {
                await Task.Delay(MemorySampleInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
