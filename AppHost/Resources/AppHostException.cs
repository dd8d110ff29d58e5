namespace BotSystem.AppHost.Resources;

/// <summary>A start-up problem the person running the AppHost can fix; shown as one line, never a stack trace.</summary>
public sealed class AppHostException(string problem, string fix) : Exception($"{problem} {fix}");
