using BotSystem.Contracts.Networking;
using System.Net;
using System.Net.Sockets;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host itself, drops every refused
/// address, and connects to one of the addresses it checked, so a second DNS answer cannot slip past. The hosts of
/// <paramref name="allowedHosts"/>, in their <see cref="WebhookHostAllowlist.Canonical"/> form, may be internal.
/// </summary>
public sealed class GuardedConnector(IReadOnlySet<string> allowedHosts)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = WebhookHostAllowlist.Bare(context.DnsEndPoint.Host);
        // The resolver throws for a name longer than DNS holds, and no retry would change that.
        if (DnsName.IsTooLong(host))
        {
            throw new DestinationRefusedException($"The host name is {host.Length} characters, longer than a DNS name can be ({DnsName.MaxLength}).");
        }
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var permitted = allowedHosts.Contains(WebhookHostAllowlist.Canonical(host))
            ? addresses
            : [.. addresses.Where(address => AddressPolicy.RefusalReason(address) is null)];
        if (permitted.Length == 0)
        {
            var first = addresses.FirstOrDefault();
            throw new DestinationRefusedException(first is null
                ? $"{host} does not resolve to any address."
                : $"{host} resolves to {first}, which webhooks may not reach: {AddressPolicy.RefusalReason(first)}.");
        }

        SocketException? lastError = null;
        foreach (var address in permitted)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw lastError!;
    }
}
