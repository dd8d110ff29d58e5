using BotSystem.ApiGateway.Invocations;
using BotSystem.Contracts;

namespace BotSystem.ApiGateway.Triggers;

/// <summary>
/// An inbound trigger of a client (configuration <c>Clients:&lt;clientId&gt;:Triggers:&lt;triggerId&gt;</c>): a signed
/// request to <c>POST /hooks/{triggerId}</c> invokes this bot with the request body as its payload.
/// </summary>
public sealed class TriggerOptions
{
    /// <summary>The shared secret: a <c>whsec_</c> secret for Standard Webhooks, or any text for <see cref="SignatureHeader"/>.</summary>
    public string Secret { get; set; } = "";

    /// <summary>
    /// When set, the request is signed the way many chat platforms do it: this header carries the hex HMAC-SHA256
    /// of the body (optionally prefixed <c>sha256=</c>). When empty, the Standard Webhooks headers are required.
    /// </summary>
    public string? SignatureHeader { get; set; }

    public string BotType { get; set; } = "";

    public string? Bot { get; set; }

    public string WebhookUrl { get; set; } = "";

    public int Priority { get; set; } = 1;

    public int? TimeoutSeconds { get; set; }

    /// <summary>Why this trigger's configuration is unusable, or null; <paramref name="maxTimeoutSeconds"/> is the gateway's.</summary>
    public string? Problem(int maxTimeoutSeconds)
    {
        if (string.IsNullOrEmpty(Secret))
        {
            return "Secret is required.";
        }
        if (string.IsNullOrEmpty(SignatureHeader))
        {
            try
            {
                StandardWebhooks.DecodeSecret(Secret);
            }
            catch (FormatException)
            {
                return "Secret must be a whsec_ secret (base64) unless SignatureHeader is set.";
            }
        }
        if (!BotTypes.IsKnown(BotType))
        {
            return $"BotType must be one of {string.Join(", ", BotTypes.All)}.";
        }
        if (Bot is not null && !BotCatalog.IsKnown(BotType, Bot))
        {
            return $"Bot must be one of {string.Join(", ", BotCatalog.BotsOf(BotType))}.";
        }
        // Its invocations are not checked as a body's are: each would be accepted, and its webhook never delivered.
        if (WebhookUrlPolicy.FormRefusal(WebhookUrl) is { } refusal)
        {
            return $"WebhookUrl: {refusal}";
        }
        if (TimeoutSeconds is { } timeout && (timeout < 1 || timeout > maxTimeoutSeconds))
        {
            // Its invocations are not checked as a body's are: each would run with it.
            return $"TimeoutSeconds must be from 1 to the gateway's MaxTimeoutSeconds ({maxTimeoutSeconds}).";
        }
        return Priority is < 1 or > 10 ? "Priority must be from 1 to 10." : null;
    }
}
