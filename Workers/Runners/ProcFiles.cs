using System.Globalization;

namespace BotSystem.Workers.Runners;

/// <summary>One file of every process (<c>/proc/{pid}/{file}</c>) this process may read.</summary>
internal static class ProcFiles
{
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
