using System.Collections.Concurrent;
using BotSystem.Contracts.Networking;
using Microsoft.Extensions.Options;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>
/// The HTTP connections deliveries go out on. A client with an allowlist gets connections of its own, so a
/// pooled connection to an allowed internal host is never reused for another client's delivery.
/// </summary>
public sealed class WebhookClients(IOptions<WebhookClientsOptions> clients, IOptions<WebhookOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _allowlisted = new();
    private readonly Lazy<HttpMessageInvoker> _shared = new(() => Create([], options.Value));

    /// <summary>The secrets a client's requests are signed with; empty when none are configured.</summary>
    public IReadOnlyList<string> SecretsOf(string clientId) =>
        clients.Value.Clients.TryGetValue(clientId, out var settings) ? settings.WebhookSecrets : [];

    public HttpMessageInvoker InvokerFor(string clientId) =>
        clients.Value.Clients.TryGetValue(clientId, out var settings) && settings.AllowedWebhookHosts.Count > 0
            ? _allowlisted.GetOrAdd(clientId, _ => Create(settings.AllowedWebhookHosts, options.Value))
            : _shared.Value;

    public void Dispose()
    {
        foreach (var invoker in _allowlisted.Values)
        {
            invoker.Dispose();
        }
        if (_shared.IsValueCreated)
        {
            _shared.Value.Dispose();
        }
    }

    private static HttpMessageInvoker Create(IEnumerable<string> allowedHosts, WebhookOptions options) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        // A proxy would be the address checked instead of the receiver's.
        UseProxy = false,
        ConnectTimeout = options.AttemptTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = new GuardedConnector(allowedHosts.Select(WebhookHostAllowlist.Canonical).ToHashSet(StringComparer.OrdinalIgnoreCase)).ConnectAsync,
    });
}
