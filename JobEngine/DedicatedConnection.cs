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
        // Unset, the connect timeout follows the sync timeout raised below, and a worker started while Redis is away
        // would wait that long on a connect attempt that Redis's return does not end: keep the shared connection's.
        options.ConnectTimeout = options.ConnectTimeout;
        options.AsyncTimeout = (int)(MaxBlock.TotalMilliseconds * 2);
        options.SyncTimeout = options.AsyncTimeout;
        // No pub/sub: one named connection per worker, as BullMQ's worker count expects.
        options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        options.ConfigurationChannel = "";
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }
}
