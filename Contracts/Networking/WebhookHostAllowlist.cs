namespace BotSystem.Contracts.Networking;

/// <summary>
/// A client's allowlist of webhook hosts that may be internal (<c>Clients:&lt;id&gt;:AllowedWebhookHosts</c>): host
/// names and IP addresses, an IPv6 address with or without its brackets, matched regardless of case.
/// </summary>
public static class WebhookHostAllowlist
{
    /// <summary>A host as it is compared: an IPv6 address without brackets, as URLs and connections give it either way.</summary>
    public static string Bare(string host) => host.Trim('[', ']');

    public static bool Names(IEnumerable<string> allowedHosts, string host) =>
        allowedHosts.Any(allowed => string.Equals(Bare(allowed), Bare(host), StringComparison.OrdinalIgnoreCase));

    /// <summary>Each entry of client <paramref name="clientId"/>'s allowlist that could never match the host of a URL (a URL itself, a port, a wildcard), by its setting.</summary>
    public static IEnumerable<string> Problems(string clientId, IReadOnlyList<string> entries) =>
        entries.Select((entry, i) => Uri.CheckHostName(Bare(entry)) == UriHostNameType.Unknown
                ? $"Clients:{clientId}:AllowedWebhookHosts:{i}: '{entry}' is not a host name or an IP address; give the host alone, without scheme, port or path."
                : null)
            .OfType<string>();
}
