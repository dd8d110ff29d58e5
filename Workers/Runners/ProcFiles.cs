using System.Globalization;

namespace BotSystem.Workers.Runners;

/// <summary>Files of other processes (<c>/proc/{pid}/{file}</c>) this process may read, and what their <c>stat</c> says.</summary>
internal static class ProcFiles
{
    // The real user of this process, whose tasks RLIMIT_NPROC counts; it does not change while the process runs.
    private static readonly string? OwnUser = RealUserOf(File.ReadAllText("/proc/self/status"));

    /// <summary>The fields of a <c>stat</c> text from the state on: state, ppid, pgrp, ... (starttime is [19]).</summary>
    public static string[] StatFields(string stat) =>
        // "pid (comm) state ppid pgrp ...": the command may hold spaces and parentheses, so read after the last ')'.
        stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    /// <summary>The <c>stat</c> fields of one process (see <see cref="StatFields"/>), or null when it is gone or not this user's.</summary>
    public static string[]? StatOf(int pid)
    {
        try
        {
            return StatFields(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The children of a process, started by any of its threads; none when it is gone.</summary>
    public static IEnumerable<int> ChildrenOf(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        var children = new List<int>();
        foreach (var task in tasks)
        {
            try
            {
                children.AddRange(File.ReadAllText(Path.Combine(task, "children"))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(child => int.Parse(child, CultureInfo.InvariantCulture)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended meanwhile, and its children passed to another.
            }
        }
        return children;
    }

    /// <summary>Whether a state field tells of a process that has exited: a zombie not reaped yet, or dead.</summary>
    public static bool HasExited(string state) => state is "Z" or "X";

    /// <summary>
    /// The tasks (processes and their threads) of this process's real user: RLIMIT_NPROC refuses a fork or a new thread
    /// once the user's count reaches it, whichever of the user's processes holds the rest.
    /// </summary>
    public static int TasksOfOwnUser()
    {
        var tasks = 0;
        foreach (var (_, status) in ReadEach("status"))
        {
            if (RealUserOf(status) == OwnUser && StatusField(status, "Threads") is { } threads)
            {
                tasks += int.Parse(threads, CultureInfo.InvariantCulture);
            }
        }
        return tasks;
    }

    // "Uid:" lists the real, effective, saved and file system ids; the real one is counted.
    private static string? RealUserOf(string status) => StatusField(status, "Uid")?.Split('\t')[0];

    /// <summary>The value of a field of a <c>status</c> text (<c>Name:\tvalue</c>), trimmed; null when it has none.</summary>
    public static string? StatusField(string status, string name)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(name) && line[name.Length..].StartsWith(":"))
            {
                return line[(name.Length + 1)..].Trim().ToString();
            }
        }
        return null;
    }

    /// <summary>The text of <paramref name="file"/> for each process, skipping those gone or not this user's meanwhile.</summary>
    public static IEnumerable<(int Pid, string Text)> ReadEach(string file)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(directory, file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            yield return (pid, text);
        }
    }
}
