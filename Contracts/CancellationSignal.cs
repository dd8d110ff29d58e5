namespace BotSystem.Contracts;

/// <summary>How the gateway tells runners to kill a running bot: a key checked before start, and a channel.</summary>
public static class CancellationSignal
{
    public const string Channel = "botsystem:cancel";

    public static string Key(string invocationId) => "botsystem:cancel:" + invocationId;

    public static readonly TimeSpan KeyLifetime = TimeSpan.FromHours(1);
}
