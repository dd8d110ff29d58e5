namespace BotSystem.WebhookManager.Endpoints;

/// <summary>The webhook host can never be reached: it resolves only to addresses a webhook must not reach, or is no DNS name.</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);
