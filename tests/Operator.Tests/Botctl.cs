namespace Operator.Tests;

/// <summary>Runs the built botctl as a real process, as a person or a script would.</summary>
public static class Botctl
{
    public static Task<CommandLine.Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var assembly = RepositoryPaths.ServiceAssembly("botctl");
        return CommandLine.RunAsync("dotnet", [assembly, .. arguments], environment: environment, timeout: TimeSpan.FromMinutes(2));
    }
}
