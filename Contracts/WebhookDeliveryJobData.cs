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

    private const string MessageIdPrefix = "msg_";

    /// <summary>The name of a delivery's job.</summary>
    public const string JobName = "deliver";

    /// <summary>The delivery of <paramref name="webhookEvent"/>, an invocation's end, to its client's webhook at <paramref name="url"/>.</summary>
    public static WebhookDeliveryJobData Of(WebhookEvent webhookEvent, string clientId, string url) => new()
    {
        MessageId = MessageIdFor(webhookEvent.Data.JobId),
        InvocationId = webhookEvent.Data.JobId,
        ClientId = clientId,
        Url = url,
        EventType = webhookEvent.Type,
        Body = webhookEvent.ToBody(),
    };

    public static string MessageIdFor(string invocationId) => MessageIdPrefix + invocationId;

    /// <summary>The id of the job that carries an invocation's delivery until its first attempt.</summary>
    public static string JobIdFor(string invocationId) => invocationId;

    /// <summary>The id of the first job of a delivery named by its <c>webhook-id</c>, or null when the id is none of ours.</summary>
    public static string? JobIdOf(string messageId) =>
        messageId.StartsWith(MessageIdPrefix, StringComparison.Ordinal) && messageId.Length > MessageIdPrefix.Length
            ? JobIdFor(messageId[MessageIdPrefix.Length..])
            : null;
}
