namespace BotSystem.Contracts;

/// <summary>The bots each type offers; the first of each type is its default.</summary>
public static class BotCatalog
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Bots = new Dictionary<string, IReadOnlyList<string>>
    {
        [BotTypes.Python] = ["data_analysis"],
        [BotTypes.Node] = ["api_processor"],
        [BotTypes.Java] = ["batch_processor"],
    };

    public static string DefaultBot(string botType) => Bots[botType][0];

    public static IReadOnlyList<string> BotsOf(string botType) => Bots.TryGetValue(botType, out var bots) ? bots : [];

    public static bool IsKnown(string botType, string bot) => BotsOf(botType).Contains(bot);
}
