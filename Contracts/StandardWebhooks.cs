using System.Security.Cryptography;
using System.Text;

namespace BotSystem.Contracts;

/// <summary>
/// Signing and verification per the Standard Webhooks specification: <c>v1,</c> + base64
/// HMAC-SHA256 over <c>id.timestamp.body</c> with the key of a <c>whsec_</c> secret.
/// </summary>
public static class StandardWebhooks
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The key bytes of a <c>whsec_</c> secret; <see cref="FormatException"/> when it is not one.</summary>
    public static byte[] DecodeSecret(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            return Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw new FormatException("A webhook secret must be 'whsec_' followed by base64.");
        }
    }

    /// <summary>The <c>webhook-signature</c> header value: one <c>v1,</c> signature per secret, space-separated.</summary>
    public static string Sign(string messageId, DateTimeOffset timestamp, string body, params IReadOnlyList<string> secrets) =>
        string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(Compute(DecodeSecret(secret), messageId, timestamp.ToUnixTimeSeconds(), body))));

    public static WebhookVerification Verify(string secret, string? messageId, string? timestamp, string? signatureHeader, string body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(messageId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
        {
            return WebhookVerification.MissingHeaders;
        }
        if (!long.TryParse(timestamp, out var seconds))
        {
            return WebhookVerification.BadTimestamp;
        }
        // Compared in seconds: a timestamp past the years a DateTimeOffset holds is only out of tolerance.
        var toleranceSeconds = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        var nowSeconds = now.ToUnixTimeSeconds();
        if (seconds < nowSeconds - toleranceSeconds || seconds > nowSeconds + toleranceSeconds)
        {
            return WebhookVerification.TimestampOutOfTolerance;
        }

        var expected = Compute(DecodeSecret(secret), messageId, seconds, body);
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = candidate.IndexOf(',');
            if (comma < 0 || candidate[..comma] != "v1")
            {
                continue;
            }
            var provided = new byte[expected.Length];
            if (Convert.TryFromBase64String(candidate[(comma + 1)..], provided, out var written)
                && written == expected.Length
                && CryptographicOperations.FixedTimeEquals(provided, expected))
            {
                return WebhookVerification.Valid;
            }
        }
        return WebhookVerification.BadSignature;
    }

    private static byte[] Compute(byte[] key, string messageId, long timestampSeconds, string body) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestampSeconds}.{body}"));
}

public enum WebhookVerification
{
    Valid,
    MissingHeaders,
    BadTimestamp,
    TimestampOutOfTolerance,
    BadSignature,
}
