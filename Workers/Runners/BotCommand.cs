namespace BotSystem.Workers.Runners;

/// <summary>An interpreter command line to start in the sandbox; the address-space limit breaks runtimes that reserve large heaps up front.</summary>
public sealed record BotCommand(string FileName, IReadOnlyList<string> Arguments, bool LimitAddressSpace = true);
