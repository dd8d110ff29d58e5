using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BotSystem.WebhookManager.Admin;

/// <summary>
/// Lets a request through only with the admin key in <c>X-Api-Key</c> or <c>Authorization: Bearer</c>. Only a
/// hash of the key is kept, and hashes are compared in constant time.
/// </summary>
public sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    private readonly byte[]? _keyHash = string.IsNullOrEmpty(options.Value.ApiKey) ? null : Hash(options.Value.ApiKey);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = ApiKeyCredentials.Of(context.HttpContext.Request);
        if (_keyHash is null || string.IsNullOrEmpty(presented) || !CryptographicOperations.FixedTimeEquals(Hash(presented), _keyHash))
        {
            return ApiKeyCredentials.Unauthenticated(context.HttpContext, "Admin key required", _keyHash is null
                ? "No admin key is configured (Admin:ApiKey); the admin API is closed."
                : "Send the admin key in X-Api-Key or as Authorization: Bearer.");
        }
        return await next(context);
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
