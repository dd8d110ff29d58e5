using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Starts the bots' processes. RLIMIT_NPROC does not bind root, so when the worker runs as root and a cgroup v1 pids
/// hierarchy is there, every bot is started from one thread that lives in a pids cgroup of this worker: a child is
/// born into the cgroup of the thread that forked it, so each bot and everything it forks is counted from its first
/// instruction, without moving a process per bot (a cgroup migration costs milliseconds).
/// </summary>
public sealed partial class BotSpawner : IDisposable
{
    private const string PidsHierarchy = "/sys/fs/cgroup/pids";
    private const string CgroupPrefix = "botsystem-workers-";
    private static int s_instances;

    private readonly BlockingCollection<SpawnRequest> _requests = [];
    private readonly Thread? _thread;
    private readonly string? _cgroup;
    private readonly ILogger<BotSpawner> _logger;

    public BotSpawner(IOptions<WorkersOptions> options, ILogger<BotSpawner> logger)
    {
        _logger = logger;
        if (OrphanedBots.KillThoseOfExitedWorkers() is > 0 and var killed)
        {
            logger.LogWarning("Killed {Count} process group(s) of bots left running by workers that are gone", killed);
        }
        if (!Environment.IsPrivilegedProcess || OwnPidsCgroup() is not { } parent)
        {
            if (Environment.IsPrivilegedProcess)
            {
                logger.LogWarning("Running as root without a cgroup v1 pids hierarchy: the bots' process count is not limited (RLIMIT_NPROC does not bind root).");
            }
            return;
        }
        RemoveCgroupsOfExitedWorkers(parent);
        var cgroup = Path.Combine(parent, $"{CgroupPrefix}{Environment.ProcessId}-{Interlocked.Increment(ref s_instances)}");
        var limit = options.Value.MaxProcessesOfAllBots + 1;
        try
        {
            Directory.CreateDirectory(cgroup);
            File.WriteAllText(Path.Combine(cgroup, "pids.max"), limit.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not create the pids cgroup {Cgroup} ({Error}): the bots' process count is not limited.", cgroup, ex.Message);
            return;
        }

        using var joined = new ManualResetEventSlim();
        Exception? joinError = null;
        var thread = new Thread(() => Serve(parent, cgroup, joined, error => joinError = error)) { IsBackground = true, Name = "bot spawner" };
        thread.Start();
        joined.Wait();
        if (joinError is { } error)
        {
            logger.LogWarning("Could not join the pids cgroup {Cgroup} ({Error}): the bots' process count is not limited.", cgroup, error.Message);
            Directory.Delete(cgroup);
            return;
        }
        _thread = thread;
        _cgroup = cgroup;
        logger.LogInformation("Bots start in the pids cgroup {Cgroup}, limited to {Limit} processes together", cgroup, limit - 1);
    }

    /// <summary>Starts a bot's process (see <see cref="ChildProcess.Start"/>), spawned from the cgroup's thread when there is one.</summary>
    internal ChildProcess Start(string path, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
        ChildProcess.Start(path, arguments, environment, workingDirectory, SpawnOnCgroupThread);

    private int SpawnOnCgroupThread(Func<int> spawn)
    {
        if (_thread is null)
        {
            return spawn();
        }
        using var request = new SpawnRequest(spawn);
        _requests.Add(request);
        request.Done.Wait();
        return request.Result;
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread?.Join();
        _requests.Dispose();
        if (_cgroup is null)
        {
            return;
        }
        try
        {
            Directory.Delete(_cgroup);
        }
        catch (IOException ex)
        {
            _logger.LogWarning("Could not remove the pids cgroup {Cgroup}: {Error}", _cgroup, ex.Message);
        }
    }

    private void Serve(string parent, string cgroup, ManualResetEventSlim joined, Action<Exception> failedToJoin)
    {
        try
        {
            File.WriteAllText(Path.Combine(cgroup, "tasks"), gettid().ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failedToJoin(ex);
            joined.Set();
            return;
        }
        joined.Set();
        // Nothing but the native spawn calls runs here: a thread the runtime created from this one (a garbage
        // collector's, say) would be counted in the bots' cgroup.
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            request.Result = request.Spawn();
            request.Done.Set();
        }
        try
        {
            // Back to where it came from, so the cgroup is empty (and removable) once the bots are gone.
            File.WriteAllText(Path.Combine(parent, "tasks"), gettid().ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Then the cgroup stays until this process exits; the next worker removes it.
        }
    }

    /// <summary>This process's own cgroup in the v1 pids hierarchy, when that hierarchy is mounted.</summary>
    private static string? OwnPidsCgroup()
    {
        if (!File.Exists(Path.Combine(PidsHierarchy, "tasks")))
        {
            return null;
        }
        var line = File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.Split(':') is [_, "pids", _]);
        return line is null ? null : PidsHierarchy + line.Split(':')[2].TrimEnd('/');
    }

    private void RemoveCgroupsOfExitedWorkers(string parent)
    {
        foreach (var directory in Directory.EnumerateDirectories(parent, CgroupPrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[CgroupPrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException ex)
                {
                    _logger.LogDebug("Left the pids cgroup {Cgroup} of an exited worker: {Error}", directory, ex.Message);
                }
            }
        }
    }

    [LibraryImport("libc")]
    private static partial int gettid();

    private sealed class SpawnRequest(Func<int> spawn) : IDisposable
    {
        public Func<int> Spawn { get; } = spawn;
        public int Result { get; set; }
        public ManualResetEventSlim Done { get; } = new();

        public void Dispose() => Done.Dispose();
    }
}
