namespace BotSystem.Contracts;

/// <summary>
/// The data of a job in the <c>webhooks</c> queue: one logical delivery per invocation. The body is
/// kept as the exact JSON text to sign, so every retry sends (and signs) the same bytes.
/// </summary>
public sealed record WebhookDeliveryJobData
{
    /// <summary>The Standard Webhooks <c>webhook-id</c>, stable across retries: <c>msg_&lt;invocationId&gt;</c>.</summary>
    public required string MessageId { get; init; }
    public required string InvocationId { get; init; }
    public required string ClientId { get; init; }
    public required string Url { get; init; }
    public required string EventType { get; init; }
    public required string Body { get; init; }

    public static string MessageIdFor(string invocationId) => "msg_" + invocationId;
}
