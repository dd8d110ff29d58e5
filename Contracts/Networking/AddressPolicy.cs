using System.Net;
using System.Net.Sockets;

namespace BotSystem.Contracts.Networking;

/// <summary>
/// Which addresses a webhook must never reach: everything that is not a public unicast address, and
/// the cloud metadata services, also when wrapped in an IPv6 form that carries an IPv4 address.
/// </summary>
public static class AddressPolicy
{
    /// <summary>Why <paramref name="address"/> is refused, or null when it is a public address.</summary>
    public static string? RefusalReason(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => IPv4Reason(address.GetAddressBytes()),
        AddressFamily.InterNetworkV6 => IPv6Reason(address.GetAddressBytes()),
        _ => "not an IP address",
    };

    private static string? IPv4Reason(ReadOnlySpan<byte> b) => b switch
    {
        [0, ..] => "unspecified (0.0.0.0/8)",
        [10, ..] => "private (10.0.0.0/8)",
        [100, >= 64 and <= 127, ..] => "carrier-grade NAT (100.64.0.0/10)",
        [127, ..] => "loopback (127.0.0.0/8)",
        [169, 254, 169, 254] => "cloud metadata (169.254.169.254)",
        [169, 254, ..] => "link-local (169.254.0.0/16)",
        [168, 63, 129, 16] => "cloud metadata (168.63.129.16)",
        [172, >= 16 and <= 31, ..] => "private (172.16.0.0/12)",
        [192, 0, 0, ..] => "IETF protocol assignments (192.0.0.0/24)",
        [192, 0, 2, ..] => "documentation (192.0.2.0/24)",
        [192, 88, 99, ..] => "6to4 relay anycast (192.88.99.0/24)",
        [192, 168, ..] => "private (192.168.0.0/16)",
        [198, 18 or 19, ..] => "benchmarking (198.18.0.0/15)",
        [198, 51, 100, ..] => "documentation (198.51.100.0/24)",
        [203, 0, 113, ..] => "documentation (203.0.113.0/24)",
        [>= 224 and <= 239, ..] => "multicast (224.0.0.0/4)",
        [255, 255, 255, 255] => "broadcast (255.255.255.255)",
        [>= 240, ..] => "reserved (240.0.0.0/4)",
        _ => null,
    };

    private static string? IPv6Reason(byte[] b)
    {
        var span = b.AsSpan();
        if (span.IndexOfAnyExcept((byte)0) < 0)
        {
            return "unspecified (::)";
        }
        if (span[..15].IndexOfAnyExcept((byte)0) < 0 && b[15] == 1)
        {
            return "loopback (::1)";
        }
        if (span[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xff && b[11] == 0xff)
        {
            return Embedded("IPv4-mapped", span[12..]);
        }
        if (span[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return Embedded("IPv4-compatible", span[12..]);
        }
        if (b is [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, ..])
        {
            // ::ffff:0:a.b.c.d, which a stateless translator (SIIT) turns into the IPv4 address it carries.
            return Embedded("IPv4-translated", span[12..]);
        }
        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
        {
            return Embedded("NAT64", span[12..]);
        }
        if (b is [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..])
        {
            return "local-use NAT64 (64:ff9b:1::/48)";
        }
        if (b is [0x20, 0x02, ..])
        {
            return Embedded("6to4", span[2..6]);
        }
        if (b is [0x20, 0x01, 0x00, 0x00, ..])
        {
            // Teredo carries the server's address plainly and the client's inverted.
            Span<byte> client = [(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]];
            return Embedded("Teredo", span[4..8]) ?? Embedded("Teredo", client);
        }
        return b switch
        {
            [0x01, 0x00, 0, 0, 0, 0, 0, 0, ..] => "discard-only (100::/64)",
            [0x20, 0x01, 0x0d, 0xb8, ..] => "documentation (2001:db8::/32)",
            [0x3f, 0xff, < 0x10, ..] => "documentation (3fff::/20)",
            [0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54] => "cloud metadata (fd00:ec2::254)",
            [>= 0xfc and <= 0xfd, ..] => "unique local (fc00::/7)",
            [0xfe, >= 0x80 and <= 0xbf, ..] => "link-local (fe80::/10)",
            [0xfe, >= 0xc0, ..] => "site-local (fec0::/10)",
            [0xff, ..] => "multicast (ff00::/8)",
            _ => null,
        };
    }

    private static string? Embedded(string form, ReadOnlySpan<byte> ipv4) =>
        IPv4Reason(ipv4) is { } reason ? $"{form} form of {new IPAddress(ipv4)}, {reason}" : null;
}
