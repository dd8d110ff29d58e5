namespace BotSystem.Contracts;

/// <summary>The BullMQ queues of the flow (prefix <c>bull</c>).</summary>
public static class QueueNames
{
    public const string Invocations = "invocations";
    public const string Webhooks = "webhooks";

    /// <summary>The runner queue of a bot type, e.g. <c>bots-python</c>.</summary>
    public static string Bots(string botType) => "bots-" + botType;

    /// <summary>Whether <paramref name="queue"/> is the runner queue of a bot type.</summary>
    public static bool IsBots(string queue) => BotTypes.All.Any(type => queue == Bots(type));

    public static IReadOnlyList<string> All { get; } = [Invocations, .. BotTypes.All.Select(Bots), Webhooks];
}
