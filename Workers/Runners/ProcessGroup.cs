using System.Globalization;
using System.Runtime.InteropServices;

namespace BotSystem.Workers.Runners;

/// <summary>Signals a whole process group, so a bot's children die with it.</summary>
internal static partial class ProcessGroup
{
    private const int SIGKILL = 9;

    private static readonly TimeSpan GonePoll = TimeSpan.FromMilliseconds(5);

    public static void Kill(int processGroupId) => _ = kill(-processGroupId, SIGKILL);

    public static void KillProcess(int processId) => _ = kill(processId, SIGKILL);

    /// <summary>
    /// Kills the group and waits, for at most <paramref name="limit"/>, until no member is alive: a killed process
    /// dies a moment after the signal. Orphaned members stay as zombies until init reaps them, which some inits do
    /// only every few seconds; a zombie holds nothing, so only the living are waited for.
    /// </summary>
    public static async Task KillAndWaitAsync(int processGroupId, TimeSpan limit)
    {
        Kill(processGroupId);
        var deadline = DateTime.UtcNow + limit;
        while (HasMembers(processGroupId) && HasLiveMembers(processGroupId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(GonePoll);
        }
    }

    private static bool HasLiveMembers(int processGroupId)
    {
        var group = processGroupId.ToString(CultureInfo.InvariantCulture);
        foreach (var (_, stat) in ProcFiles.ReadEach("stat"))
        {
            var fields = ProcFiles.StatFields(stat);
            if (fields[2] == group && !ProcFiles.HasExited(fields[0]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether any process is still in the group.</summary>
    public static bool HasMembers(int processGroupId) => kill(-processGroupId, 0) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
