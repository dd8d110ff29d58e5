using System.Globalization;
using System.Net;
using System.Text;

namespace BotSystem.Contracts.Networking;

/// <summary>
/// A client's allowlist of webhook hosts that may be internal (<c>Clients:&lt;id&gt;:AllowedWebhookHosts</c>): host
/// names and IP addresses, an IPv6 address with or without its brackets, an international name in either of its
/// forms, matched regardless of case.
/// </summary>
public static class WebhookHostAllowlist
{
    private static readonly IdnMapping Idn = new();

    /// <summary>A host as it is compared: an IPv6 address without brackets, as URLs and connections give it either way.</summary>
    public static string Bare(string host) => host.Trim('[', ']');

    /// <summary>
    /// A host as it is matched: bare, and a name in its ASCII form, which connections dial, while a URL's host and an
    /// entry may be written in Unicode.
    /// </summary>
    public static string Canonical(string host)
    {
        var bare = Bare(host);
        if (Ascii.IsValid(bare) || IPAddress.TryParse(bare, out _))
        {
            return bare;
        }
        try
        {
            return Idn.GetAscii(bare);
        }
        catch (ArgumentException)
        {
            // Not a name DNS could hold: it matches only as written.
            return bare;
        }
    }

    public static bool Names(IEnumerable<string> allowedHosts, string host) =>
        allowedHosts.Any(allowed => string.Equals(Canonical(allowed), Canonical(host), StringComparison.OrdinalIgnoreCase));

    /// <summary>Each entry of client <paramref name="clientId"/>'s allowlist that could never match the host of a URL (a URL itself, a port, a wildcard), by its setting.</summary>
    public static IEnumerable<string> Problems(string clientId, IReadOnlyList<string> entries) =>
        entries.Select((entry, i) => Uri.CheckHostName(Bare(entry)) == UriHostNameType.Unknown
                ? $"Clients:{clientId}:AllowedWebhookHosts:{i}: '{entry}' is not a host name or an IP address; give the host alone, without scheme, port or path."
                : null)
            .OfType<string>();
}
