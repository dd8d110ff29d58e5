using System.Runtime.InteropServices;

namespace BotSystem.Workers.Runners;

/// <summary>Signals a whole process group, so a bot's children die with it.</summary>
internal static partial class ProcessGroup
{
    private const int SIGKILL = 9;

    public static void Kill(int processGroupId) => _ = kill(-processGroupId, SIGKILL);

    /// <summary>Whether any process is still in the group.</summary>
    public static bool HasMembers(int processGroupId) => kill(-processGroupId, 0) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
