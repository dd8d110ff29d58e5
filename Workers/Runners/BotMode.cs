namespace BotSystem.Workers.Runners;

/// <summary>Cold: a fresh process per job. Warm: a long-lived host process per bot serves many jobs.</summary>
public enum BotMode { Cold, Warm }
