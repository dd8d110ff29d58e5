using System.Security.Cryptography;
using System.Text;
using BotSystem.Contracts;

namespace BotSystem.ApiGateway.Triggers;

/// <summary>Checks that an inbound trigger request was signed with the trigger's secret, recently.</summary>
public static class TriggerSignature
{
    private const string HexPrefix = "sha256=";

    /// <summary>Why the request is refused, or null when its signature is good.</summary>
    public static string? Refusal(TriggerOptions trigger, IHeaderDictionary headers, byte[] body, DateTimeOffset now)
    {
        if (!string.IsNullOrEmpty(trigger.SignatureHeader))
        {
            return HasValidHmac(trigger.Secret, headers[trigger.SignatureHeader].FirstOrDefault(), body)
                ? null
                : $"The {trigger.SignatureHeader} header must carry the HMAC-SHA256 of the body.";
        }
        var verification = StandardWebhooks.Verify(trigger.Secret, headers[StandardWebhooks.IdHeader], headers[StandardWebhooks.TimestampHeader],
            headers[StandardWebhooks.SignatureHeader], Encoding.UTF8.GetString(body), now);
        return verification switch
        {
            WebhookVerification.Valid => null,
            WebhookVerification.MissingHeaders => "The webhook-id, webhook-timestamp and webhook-signature headers are required.",
            WebhookVerification.BadTimestamp => "webhook-timestamp must be Unix seconds.",
            WebhookVerification.TimestampOutOfTolerance => "webhook-timestamp is more than 5 minutes away from now.",
            _ => "The signature does not match.",
        };
    }

    private static bool HasValidHmac(string secret, string? header, byte[] body)
    {
        var hex = header?.StartsWith(HexPrefix, StringComparison.OrdinalIgnoreCase) == true ? header[HexPrefix.Length..] : header;
        if (hex is not { Length: SHA256.HashSizeInBytes * 2 } || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hex), expected);
    }
}
