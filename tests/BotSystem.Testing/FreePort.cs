using BotSystem.AppHost.Resources;

namespace BotSystem.Testing;

public static class FreePort
{
    /// <summary>A TCP port on loopback that nothing listens on right now, chosen as the AppHost chooses one.</summary>
    public static int Next() => LoopbackPorts.Next();
}
