using System.Net;
using System.Net.Sockets;
using BotSystem.Contracts.Networking;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>
/// Refuses webhook targets that are not absolute http(s) URLs or that are, or resolve to, addresses a
/// webhook must never reach, unless the client's allowlist names the host. The webhook manager checks
/// again when it connects.
/// </summary>
public static class WebhookUrlPolicy
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(3);

    /// <summary>As long as browsers and most HTTP servers accept a URL to be.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Adds a <c>webhookUrl</c> error when the client may not use the URL.</summary>
    public static async Task CheckAsync(InvokeRequest request, string clientId, ClientDirectory clients, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (await RefusalAsync(request.WebhookUrl, clients.Get(clientId).AllowedWebhookHosts, ct) is { } refusal)
        {
            errors["webhookUrl"] = [refusal];
        }
    }

    /// <summary>Why the URL is refused, or null when it is acceptable.</summary>
    public static async Task<string?> RefusalAsync(string? url, IReadOnlyCollection<string> allowedHosts, CancellationToken ct)
    {
        if (FormRefusal(url) is { } refusal)
        {
            return refusal;
        }
        var uri = new Uri(url!);
        if (WebhookHostAllowlist.Names(allowedHosts, uri.Host))
        {
            return null;
        }
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(ResolveTimeout);
                addresses = await Dns.GetHostAddressesAsync(uri.Host, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return $"The host '{uri.Host}' does not resolve.";
            }
        }
        foreach (var address in addresses)
        {
            if (AddressPolicy.RefusalReason(address) is { } reason)
            {
                return $"The host '{uri.Host}' is not allowed as a webhook target: {reason}.";
            }
        }
        return null;
    }

    /// <summary>Why the URL can be no webhook target, whoever sends to it and whatever its host resolves to, or null.</summary>
    public static string? FormRefusal(string? url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "Must be an absolute http or https URL.";
        }
        if (url.Length > MaxUrlLength)
        {
            return $"Must be at most {MaxUrlLength} characters.";
        }
        // Port 0 parses but can never be connected to: every attempt would fail until the delivery died.
        if (uri.Port == 0)
        {
            return "Must name a port from 1 to 65535, or none for the scheme's default.";
        }
        // Nothing would send them (deliveries are signed, not logged in), and they would be stored and shown with the URL.
        if (uri.UserInfo.Length > 0)
        {
            return "Must not carry credentials (user:password@); receivers verify the webhook-signature header instead.";
        }
        // No such name can be reached, allowlisted or not, and the resolver throws for it. Checked as written (resolved
        // here) and in its ASCII form (dialled by the webhook manager), which is longer for a non-ASCII name.
        if (DnsName.IsTooLong(uri.Host) || DnsName.IsTooLong(uri.IdnHost))
        {
            return $"Must name a host of at most {DnsName.MaxLength} characters, the longest a DNS name can be.";
        }
        return null;
    }
}
