namespace BotSystem.Workers.Runners;

/// <summary>
/// The whole environment a bot sees: an allowlist of the worker's variables (nothing else of the worker's, no
/// connection strings or keys, reaches a bot), its own working directory as home and temp, and which worker started it
/// (<see cref="OrphanedBots"/>).
/// </summary>
public static class BotEnvironment
{
    private static readonly string[] InheritedVariables = ["PATH", "LANG", "LC_ALL", "JAVA_HOME", "PYENV_ROOT", "PYENV_VERSION"];

    public static Dictionary<string, string> For(string workDirectory)
    {
        var environment = new Dictionary<string, string>();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }
        environment["HOME"] = workDirectory;
        environment["TMPDIR"] = workDirectory;
        environment[OrphanedBots.Variable] = OrphanedBots.Marker;
        return environment;
    }
}
