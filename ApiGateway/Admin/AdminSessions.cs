using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Admin;

/// <summary>
/// Dashboard log-ins: the admin key is exchanged for a random session token kept in an HttpOnly,
/// SameSite=Strict cookie; Redis holds only the token's hash and the session's anti-forgery token.
/// </summary>
public sealed class AdminSessions(IConnectionMultiplexer redis, IOptions<AdminOptions> options)
{
    public const string CookieName = "botsystem_admin";
    public const string CsrfHeader = "X-CSRF-Token";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>Whether <paramref name="apiKey"/> is the admin key (compared by hash, in constant time).</summary>
    public bool IsAdminKey(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey) || options.Value.ApiKeyHash is not { Length: > 0 } expectedHex)
        {
            return false;
        }
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        var expected = Convert.FromHexString(expectedHex);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public async Task<string> StartAsync()
    {
        var token = RandomToken();
        await redis.GetDatabase().StringSetAsync(Key(token), RandomToken(), Lifetime);
        return token;
    }

    /// <summary>The session's anti-forgery token, or null when the session is unknown or expired.</summary>
    public async Task<string?> GetCsrfTokenAsync(string? sessionToken) =>
        string.IsNullOrEmpty(sessionToken) ? null : (string?)await redis.GetDatabase().StringGetAsync(Key(sessionToken));

    public Task EndAsync(string sessionToken) => redis.GetDatabase().KeyDeleteAsync(Key(sessionToken));

    public static CookieOptions CookieOptions(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/admin",
        MaxAge = Lifetime,
    };

    private static string Key(string sessionToken) =>
        "botsystem:admin-session:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionToken)));

    private static string RandomToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
