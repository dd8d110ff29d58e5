namespace BotSystem.AppHost.Resources;

public enum ResourceState { Waiting, Starting, Running, Restarting, Stopping, Exited, Failed }
