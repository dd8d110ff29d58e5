namespace BotSystem.Workers.Runners;

/// <summary>
/// The whole environment a bot sees: an allowlist of the worker's variables (nothing else of the worker's, no
/// connection strings or keys, reaches a bot), its own working directory as home and temp, which worker started it
/// (<see cref="OrphanedBots"/>) and in which sandbox (<see cref="SandboxVariable"/>).
/// </summary>
public static class BotEnvironment
{
    private static readonly string[] InheritedVariables = ["PATH", "LANG", "LC_ALL", "JAVA_HOME", "PYENV_ROOT", "PYENV_VERSION"];

    /// <summary>The sandbox a process was started in, passed on to all it starts, so they are found when it is killed.</summary>
    public const string SandboxVariable = "BOTSYSTEM_SANDBOX";

    public static Dictionary<string, string> For(string workDirectory, string sandbox)
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
        environment[SandboxVariable] = sandbox;
        return environment;
    }
}
