using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Opens a connection of its own for blocking commands (BZPOPMIN, XREAD BLOCK), which must never run on the shared multiplexer.</summary>
internal static class DedicatedConnection
{
    /// <summary>Longest server-side block the engine asks for; the client timeout must exceed it.</summary>
    public static readonly TimeSpan MaxBlock = TimeSpan.FromSeconds(10);

    public static async Task<ConnectionMultiplexer> OpenAsync(IConnectionMultiplexer shared, string clientName)
    {
        var options = ConfigurationOptions.Parse(shared.Configuration);
        options.ClientName = clientName;
        options.AbortOnConnectFail = false;
        options.AsyncTimeout = (int)(MaxBlock.TotalMilliseconds * 2);
        options.SyncTimeout = options.AsyncTimeout;
        // No pub/sub: one named connection per worker, as BullMQ's worker count expects.
        options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        options.ConfigurationChannel = "";
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }
}
