using System.Runtime.InteropServices;

namespace BotSystem.AppHost.Resources;

internal static partial class Signals
{
    public const int SIGTERM = 15;

    public static void Terminate(int pid) => _ = kill(pid, SIGTERM);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
