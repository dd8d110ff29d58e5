using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BotSystem.Workers.Runners;

/// <summary>
/// A bot's interpreter started in the sandbox: its own process group (killed as a whole, with the processes that left
/// it but carry the sandbox's mark), a scrubbed environment, a temporary working directory removed afterwards, and
/// resource limits through <c>prlimit</c>.
/// Keeps the tail of its error output, never more.
/// </summary>
internal sealed partial class SandboxedProcess : IAsyncDisposable
{
    private const int ErrorTailChars = 8 * 1024;
    private const string PrlimitPath = "/usr/bin/prlimit";
    private static readonly TimeSpan GroupExitLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GroupExitPoll = TimeSpan.FromMilliseconds(5);

    private readonly ChildProcess _process;
    private readonly string _sandbox;
    private readonly DirectoryInfo _workDirectory;
    private readonly StringBuilder _errorTail = new();
    private readonly Task _errorDrain;
    private readonly ILogger _logger;

    private SandboxedProcess(ChildProcess process, string sandbox, DirectoryInfo workDirectory, ILogger logger)
    {
        _process = process;
        _sandbox = sandbox;
        _workDirectory = workDirectory;
        _logger = logger;
        _errorDrain = DrainErrorsAsync(process.StandardError);
    }

    /// <summary>The process id, which is also its process group id.</summary>
    public int Id => _process.Id;

    public Stream StandardOutput => _process.StandardOutput;

    public StreamWriter StandardInput => _process.StandardInput;

    public static SandboxedProcess Start(BotCommand command, WorkersOptions limits, BotSpawner spawner, ILogger logger)
    {
        var workDirectory = Directory.CreateTempSubdirectory("botsystem-bot-");
        var sandbox = Guid.NewGuid().ToString("N");
        try
        {
            var process = spawner.Start(PrlimitPath, PrlimitArguments(command, limits), BotEnvironment.For(workDirectory.FullName, sandbox), workDirectory.FullName);
            return new SandboxedProcess(process, sandbox, workDirectory, logger);
        }
        catch
        {
            workDirectory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Kills the group and every process that left it (a new session, a detached child) but carries the sandbox's mark.</summary>
    public void Kill()
    {
        ProcessGroup.Kill(Id);
        KillThoseThatLeftTheGroup();
    }

    /// <summary>
    /// Kills what <see cref="Kill"/> does and waits (briefly) until none of the group is left; so nothing the bot started
    /// runs on, or holds its output open, once it is over.
    /// </summary>
    public async Task KillGroupAsync()
    {
        var deadline = DateTime.UtcNow + GroupExitLimit;
        await ProcessGroup.KillAndWaitAsync(Id, GroupExitLimit);
        // Looked for until none is alive: one may have started another as it was killed.
        while (KillThoseThatLeftTheGroup() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(GroupExitPoll);
        }
    }

    private int KillThoseThatLeftTheGroup()
    {
        var killed = 0;
        foreach (var (pid, _) in MarkedProcesses.With(BotEnvironment.SandboxVariable).Where(marked => marked.Value == _sandbox))
        {
            ProcessGroup.KillProcess(pid);
            killed++;
        }
        return killed;
    }

    /// <summary>Whether the process has exited: gone, or a zombie not reaped yet (it is not reaped here).</summary>
    public bool HasExited => ProcFiles.StatOf(Id) is not { } fields || ProcFiles.HasExited(fields[0]);

    /// <summary>Whether a process this one started is still alive.</summary>
    public bool HasLiveChildren() =>
        ProcFiles.ChildrenOf(Id).Any(child => ProcFiles.StatOf(child) is { } fields && !ProcFiles.HasExited(fields[0]));

    /// <summary>Waits for the process (not its group) to exit; the result is its exit code, or 128 + the killing signal.</summary>
    public Task<int> WaitForExitAsync() => _process.WaitForExitAsync();

    /// <summary>Waits until the error output is closed, which a killed group guarantees.</summary>
    public Task ErrorOutputClosed => _errorDrain;

    /// <summary>
    /// What the error output says of a crash: its last line that is not a stack frame, so an uncaught exception is
    /// told by its type and message (Java's and Node's traces end in frames, Node's with its version).
    /// </summary>
    public string ErrorSummary()
    {
        lock (_errorTail)
        {
            var lines = _errorTail.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.LastOrDefault(line => !StackTraceLine().IsMatch(line)) ?? lines.LastOrDefault() ?? "no error output";
        }
    }

    /// <summary>The peak resident memory since start or the last <see cref="ResetPeakMemory"/>; 0 once the process is gone.</summary>
    public long PeakMemoryBytes()
    {
        try
        {
            // "VmHWM:\t  1234 kB"; a process exiting has none.
            if (ProcFiles.StatusField(File.ReadAllText($"/proc/{Id}/status"), "VmHWM") is { } peak
                && long.TryParse(peak.Split(' ')[0], CultureInfo.InvariantCulture, out var kilobytes))
            {
                return kilobytes * 1024;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process is gone; there is nothing left to measure.
        }
        return 0;
    }

    /// <summary>Starts a new peak-memory measurement (writing 5 to clear_refs resets VmHWM), so each warm job reports its own.</summary>
    public void ResetPeakMemory()
    {
        try
        {
            File.WriteAllText($"/proc/{Id}/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without the reset the job reports the host's peak so far, an upper bound.
        }
    }

    /// <summary>Empties the working directory between the jobs of a warm host, so no job sees another's files.</summary>
    public void ClearWorkDirectory()
    {
        foreach (var entry in _workDirectory.EnumerateFileSystemInfos())
        {
            try
            {
                if (entry is DirectoryInfo directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("Could not remove {Path} from a warm host's working directory: {Error}", entry.FullName, ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ProcessGroup.Kill(Id);
        await WaitForExitAsync();
        await KillGroupAsync();
        await _errorDrain;
        _process.Dispose();
        try
        {
            _workDirectory.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not remove the bot's working directory {Directory}: {Error}", _workDirectory.FullName, ex.Message);
        }
    }

    /// <summary>prlimit sets the limits and then becomes the interpreter, so they hold from its first instruction.</summary>
    private static List<string> PrlimitArguments(BotCommand command, WorkersOptions limits)
    {
        var arguments = new List<string>();
        var memoryLimit = (long)limits.MemoryLimitMb * 1024 * 1024;
        switch (command.Memory)
        {
            case MemoryRlimit.AddressSpace:
                arguments.Add($"--as={memoryLimit}");
                break;
            case MemoryRlimit.Data:
                arguments.Add($"--data={memoryLimit}");
                break;
        }
        // The limit holds the user's tasks, not the bot's: the bot may start MaxProcesses on top of those running now.
        arguments.Add($"--nproc={ProcFiles.TasksOfOwnUser() + limits.MaxProcesses}");
        arguments.Add($"--fsize={(long)limits.MaxOutputBytes * 16}");
        arguments.Add("--");
        arguments.Add(command.FileName);
        arguments.AddRange(command.Arguments);
        return arguments;
    }

    private async Task DrainErrorsAsync(Stream stderr)
    {
        var buffer = new byte[8192];
        var characters = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        // One decoder for the whole stream keeps a character whose bytes two reads split.
        var decoder = Encoding.UTF8.GetDecoder();
        int read;
        while ((read = await stderr.ReadAsync(buffer)) > 0)
        {
            var decoded = decoder.GetChars(buffer, 0, read, characters, 0);
            lock (_errorTail)
            {
                _errorTail.Append(characters, 0, decoded);
                if (_errorTail.Length > 2 * ErrorTailChars)
                {
                    _errorTail.Remove(0, _errorTail.Length - ErrorTailChars);
                }
            }
        }
    }

    // A frame ("at Bot.handle(Bot.java:12)", "at Object.<anonymous> (bot.js:3:9)"), Java's "... 3 more", Node's "Node.js v22.1.0".
    [GeneratedRegex(@"^(at |\.\.\. \d+ more$|Node\.js v\d)")]
    private static partial Regex StackTraceLine();
}
