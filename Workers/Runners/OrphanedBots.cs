using System.Globalization;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Bots whose worker was killed outright (SIGKILL, out of memory) run on with nobody to enforce their timeout, while
/// their jobs are taken up again elsewhere. Every bot's environment names its worker (<see cref="Variable"/>: the
/// worker's pid and start time, which no later process with that pid shares), so a worker starting on the machine
/// finds the bots of workers that are gone and kills them, with their process groups.
/// </summary>
internal static class OrphanedBots
{
    public const string Variable = "BOTSYSTEM_WORKER";

    /// <summary>This worker's value of <see cref="Variable"/>.</summary>
    public static string Marker { get; } = $"{Environment.ProcessId}:{StartTime(Environment.ProcessId)}";

    /// <summary>Kills every process whose environment names a worker that no longer runs, with its group; returns how many groups.</summary>
    public static int KillThoseOfExitedWorkers()
    {
        var killedGroups = new HashSet<int>();
        foreach (var (pid, worker) in MarkedProcesses.With(Variable))
        {
            if (worker == Marker || IsRunning(worker) || Stat(pid) is not { } stat)
            {
                continue;
            }
            ProcessGroup.Kill(stat.ProcessGroup);
            ProcessGroup.KillProcess(pid);
            killedGroups.Add(stat.ProcessGroup);
        }
        return killedGroups.Count;
    }

    private static bool IsRunning(string worker) =>
        worker.Split(':') is [var pid, var startTime] && int.TryParse(pid, CultureInfo.InvariantCulture, out var id) && StartTime(id) == startTime;

    private static string? StartTime(int pid) => Stat(pid)?.StartTime;

    private static (int ProcessGroup, string StartTime)? Stat(int pid) =>
        ProcFiles.StatOf(pid) is { } fields ? (int.Parse(fields[2], CultureInfo.InvariantCulture), fields[19]) : null;
}
