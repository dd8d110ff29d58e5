using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Runs one bot as a sandboxed subprocess: its own session and process group (killed as a whole on
/// timeout or cancel), a scrubbed environment, a temporary working directory removed afterwards,
/// resource limits through <c>prlimit</c>, and capped output. Speaks the JSON-lines bot protocol.
/// </summary>
public sealed class BotProcess(IOptions<WorkersOptions> options, ILogger<BotProcess> logger)
{
    private const string TruncationMarker = "[output truncated]";
    private static readonly string[] InheritedVariables = ["PATH", "LANG", "LC_ALL", "JAVA_HOME", "PYENV_ROOT", "PYENV_VERSION"];
    private static readonly TimeSpan MemorySampleInterval = TimeSpan.FromMilliseconds(50);

    public async Task<BotRunOutcome> RunAsync(BotLaunch launch, Func<JsonNode, Task> onProgress, Func<string, Task> onLog, CancellationToken cancellation)
    {
        var limits = options.Value;
        var workDirectory = Directory.CreateTempSubdirectory("botsystem-bot-");
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = StartInfo(launch, workDirectory.FullName, limits) };
        try
        {
            process.Start();
            var pgid = process.Id;
            var stderr = new StringBuilder();
            var stderrTask = DrainAsync(process.StandardError.BaseStream, stderr, 8 * 1024);
            await WriteRequestAsync(process, launch.RequestJson);

            var reader = new BotOutputReader(limits.MaxOutputBytes, limits.MaxResultBytes);
            using var timeout = new CancellationTokenSource(launch.Timeout);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellation);
            var peakMemory = 0L;
            var sampler = SampleMemoryAsync(process.Id, bytes => peakMemory = Math.Max(peakMemory, bytes), stop.Token);
            using var killOnStop = stop.Token.Register(() => ProcessGroup.Kill(pgid));

            await reader.ReadAsync(process.StandardOutput.BaseStream, onProgress, onLog);
            await process.WaitForExitAsync(CancellationToken.None);
            ProcessGroup.Kill(pgid);
            await stderrTask;
            await stop.CancelAsync();
            await sampler;

            var exitCode = process.ExitCode;
            var duration = stopwatch.Elapsed;
            BotRunOutcome Outcome(BotRunStatus status, string? error, bool retryable) =>
                new(status, reader.Result, error, retryable, exitCode, duration, peakMemory, reader.Truncated);

            if (cancellation.IsCancellationRequested)
            {
                return Outcome(BotRunStatus.Cancelled, "cancelled", false);
            }
            if (timeout.IsCancellationRequested)
            {
                return Outcome(BotRunStatus.TimedOut, $"The bot ran past its timeout of {launch.Timeout.TotalSeconds:0.#} s and was killed.", true);
            }
            if (reader.ProtocolError is { } protocolError)
            {
                return Outcome(BotRunStatus.ProtocolViolation, $"Protocol violation: {protocolError}", false);
            }
            if (reader.Error is { } botError)
            {
                return Outcome(BotRunStatus.Failed, botError, reader.ErrorRetryable);
            }
            if (exitCode != 0)
            {
                var signal = exitCode > 128 ? $" (signal {exitCode - 128})" : "";
                return Outcome(BotRunStatus.Crashed, $"The bot exited with code {exitCode}{signal}: {LastLine(stderr)}", true);
            }
            if (reader.Result is null)
            {
                return Outcome(BotRunStatus.ProtocolViolation, "Protocol violation: the bot exited without a result line.", false);
            }
            return Outcome(BotRunStatus.Completed, null, false);
        }
        finally
        {
            try
            {
                workDirectory.Delete(recursive: true);
            }
            catch (IOException ex)
            {
                logger.LogWarning("Could not remove the bot's working directory {Directory}: {Error}", workDirectory.FullName, ex.Message);
            }
        }
    }

    private static ProcessStartInfo StartInfo(BotLaunch launch, string workDirectory, WorkersOptions limits)
    {
        var startInfo = new ProcessStartInfo("/usr/bin/setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        // setsid makes the bot a session and group leader, so killing -pid reaches every child it forks.
        startInfo.ArgumentList.Add("/usr/bin/prlimit");
        if (launch.LimitAddressSpace)
        {
            startInfo.ArgumentList.Add($"--as={(long)limits.MemoryLimitMb * 1024 * 1024}");
        }
        startInfo.ArgumentList.Add($"--nproc={limits.MaxProcesses}");
        startInfo.ArgumentList.Add($"--fsize={(long)limits.MaxOutputBytes * 16}");
        startInfo.ArgumentList.Add("--");
        startInfo.ArgumentList.Add(launch.FileName);
        foreach (var argument in launch.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                startInfo.Environment[name] = value;
            }
        }
        startInfo.Environment["HOME"] = workDirectory;
        startInfo.Environment["TMPDIR"] = workDirectory;
        return startInfo;
    }

    private static async Task WriteRequestAsync(Process process, string requestJson)
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

    private static async Task DrainAsync(Stream stream, StringBuilder kept, int limit)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            if (kept.Length < limit)
            {
                kept.Append(Encoding.UTF8.GetString(buffer, 0, Math.Min(read, limit - kept.Length)));
            }
        }
    }

    private static async Task SampleMemoryAsync(int pid, Action<long> record, CancellationToken stop)
    {
        var status = $"/proc/{pid}/status";
        while (!stop.IsCancellationRequested)
        {
            try
            {
                foreach (var line in await File.ReadAllLinesAsync(status, CancellationToken.None))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal)
                        && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kilobytes))
                    {
                        record(kilobytes * 1024);
                    }
                }
                await Task.Delay(MemorySampleInterval, stop);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string LastLine(StringBuilder stderr)
    {
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no error output" : lines[^1];
    }

    /// <summary>Reads the bot's stdout as JSON lines, never holding more than the output limit.</summary>
    private sealed class BotOutputReader(int maxOutputBytes, int maxResultBytes)
    {
        public JsonNode? Result { get; private set; }
        public string? Error { get; private set; }
        public bool ErrorRetryable { get; private set; }
        public string? ProtocolError { get; private set; }
        public bool Truncated { get; private set; }

        public async Task ReadAsync(Stream stdout, Func<JsonNode, Task> onProgress, Func<string, Task> onLog)
        {
            var buffer = new byte[16 * 1024];
            var line = new MemoryStream();
            long total = 0;
            int read;
            while ((read = await stdout.ReadAsync(buffer)) > 0)
            {
                total += read;
                if (Truncated)
                {
                    continue;
                }
                if (total > maxOutputBytes)
                {
                    Truncated = true;
                    await onLog(TruncationMarker);
                    continue;
                }
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == (byte)'\n')
                    {
                        line.Write(buffer, start, i - start);
                        await HandleLineAsync(Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length), onProgress, onLog);
                        line.SetLength(0);
                        start = i + 1;
                    }
                }
                line.Write(buffer, start, read - start);
            }
            if (!Truncated && line.Length > 0)
            {
                await HandleLineAsync(Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length), onProgress, onLog);
            }
        }

        private async Task HandleLineAsync(string text, Func<JsonNode, Task> onProgress, Func<string, Task> onLog)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
            JsonObject? message;
            try
            {
                message = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                message = null;
            }
            if (message is null)
            {
                await onLog(text.Length > 1000 ? text[..1000] + "…" : text);
                return;
            }
            if (message["progress"] is { } progress)
            {
                await onProgress(progress.DeepClone());
            }
            if (message["log"] is { } log)
            {
                await onLog(log.ToString());
            }
            if (message.ContainsKey("result"))
            {
                if (Encoding.UTF8.GetByteCount(text) > maxResultBytes)
                {
                    ProtocolError = $"the result is larger than {maxResultBytes} bytes";
                    return;
                }
                Result = message["result"]?.DeepClone();
            }
            if (message["error"] is { } error)
            {
                Error = error.ToString();
                ErrorRetryable = message["retryable"]?.GetValueKind() == JsonValueKind.True;
            }
        }
    }
}
