namespace BotSystem.Workers.Runners;

/// <summary>
/// Processes found by a variable of their environment (<c>/proc/{pid}/environ</c>), which every bot inherits from the
/// worker and passes on to what it starts: children that left the bot's process group still carry it.
/// </summary>
internal static class MarkedProcesses
{
    /// <summary>Every live process of this user whose environment has <paramref name="variable"/>, with its value.</summary>
    public static IEnumerable<(int Pid, string Value)> With(string variable)
    {
        var prefix = variable + "=";
        foreach (var (pid, environment) in ProcFiles.ReadEach("environ"))
        {
            if (environment.Split('\0').FirstOrDefault(entry => entry.StartsWith(prefix, StringComparison.Ordinal)) is { } entry)
            {
                yield return (pid, entry[prefix.Length..]);
            }
        }
    }
}
