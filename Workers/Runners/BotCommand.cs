namespace BotSystem.Workers.Runners;

/// <summary>An interpreter command line to start in the sandbox, and which limit holds it to the memory limit.</summary>
public sealed record BotCommand(string FileName, IReadOnlyList<string> Arguments, MemoryRlimit Memory = MemoryRlimit.AddressSpace);
