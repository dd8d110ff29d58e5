namespace BotSystem.Workers.Runners;

/// <summary>
/// What to start for one bot run: the command, the request, and its wall-time limit. With <see cref="Warm"/> set, the
/// command starts the warm host that serves this bot's jobs.
/// </summary>
public sealed record BotLaunch(BotCommand Command, string RequestJson, TimeSpan Timeout, WarmHosting? Warm = null);
