namespace BotSystem.Contracts;

/// <summary>The limit of bots of a type running at once: the setting that gives it (the original environment names) and its default.</summary>
public static class BotLimits
{
    public static (string Variable, int Default) Of(string botType) => botType switch
    {
        BotTypes.Python => ("MAX_PYTHON_BOTS", 5),
        BotTypes.Node => ("MAX_NODE_BOTS", 10),
        BotTypes.Java => ("MAX_JAVA_BOTS", 3),
        _ => throw new ArgumentOutOfRangeException(nameof(botType), botType, "Unknown bot type."),
    };
}
