namespace BotSystem.Workers.Runners;

/// <summary>What to start for one bot run: the interpreter command, the request, and its wall-time limit.</summary>
public sealed record BotLaunch(string FileName, IReadOnlyList<string> Arguments, string RequestJson, TimeSpan Timeout, bool LimitAddressSpace = true);
