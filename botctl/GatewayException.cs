namespace BotSystem.Botctl;

/// <summary>An HTTP error answered by the server, with its problem details folded into one line.</summary>
public sealed class GatewayException(string message) : Exception(message);
