namespace BotSystem.Contracts;

/// <summary>The bot languages the platform runs, as they appear on the wire and in queue names.</summary>
public static class BotTypes
{
    public const string Python = "python";
    public const string Node = "node";
    public const string Java = "java";

    public static IReadOnlyList<string> All { get; } = [Python, Node, Java];

    public static bool IsKnown(string? botType) => botType is Python or Node or Java;
}
