namespace BotSystem.WebhookManager.Delivery;

/// <summary>How one request ended, as the retry policy sees it.</summary>
public enum AttemptOutcome
{
    /// <summary>2xx.</summary>
    Delivered,

    /// <summary>408, 425, 429, 5xx, a connection error or a timeout: worth retrying.</summary>
    Temporary,

    /// <summary>3xx, other 4xx, or a refused destination: retrying cannot help.</summary>
    Permanent,
}
