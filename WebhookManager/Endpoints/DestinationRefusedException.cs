namespace BotSystem.WebhookManager.Endpoints;

/// <summary>The webhook host resolves only to addresses a webhook must not reach.</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);
