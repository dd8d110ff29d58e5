namespace BotSystem.Testing;

/// <summary>Finds the programs the tests run (prometheus, promtool, amtool, ...) on PATH.</summary>
public static class Executable
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or null when it is not installed.</summary>
    public static string? TryFind(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The full path of the first of <paramref name="names"/> found on PATH; fails naming them when none is installed.</summary>
    public static string Find(params string[] names) =>
        names.Select(TryFind).FirstOrDefault(path => path is not null)
        ?? throw new InvalidOperationException(
            $"None of {string.Join(", ", names)} is on PATH. Install it (./test.sh installs prometheus and prometheus-alertmanager through apt-get).");
}
