namespace BotSystem.Testing;

public static class RepositoryPaths
{
    /// <summary>The directory holding <c>BotSystem.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with, so services are run from the same build.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    /// <summary>The built assembly of a service project, e.g. <c>ApiGateway</c>.</summary>
    public static string ServiceAssembly(string project) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", project + ".dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BotSystem.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("BotSystem.sln not found above " + AppContext.BaseDirectory);
    }
}
