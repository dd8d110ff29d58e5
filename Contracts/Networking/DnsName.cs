namespace BotSystem.Contracts.Networking;

/// <summary>How long a host name DNS can hold: resolvers throw for a longer one rather than answer that it does not resolve.</summary>
public static class DnsName
{
    /// <summary>The longest a name can be written without its final dot (255 octets as DNS sends it).</summary>
    public const int MaxLength = 253;

    public static bool IsTooLong(string host) => host.TrimEnd('.').Length > MaxLength;
}
