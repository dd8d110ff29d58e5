using System.ComponentModel;
using System.Text.Json.Nodes;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>An invocation as its client sees it: <c>GET /job/{id}</c>, and the answer to a cancel.</summary>
public sealed record InvocationView(
    string JobId,
    [property: Description("queued, waiting-for-turn, waiting-for-slot, running, completed, failed or cancelled.")]
    string? Status,
    string? BotType,
    string? Bot,
    [property: Description("What the bot last reported, 0 to 100; 100 once it completed.")]
    JsonNode Progress,
    [property: Description("The bot's result once it completed.")]
    JsonNode? Result,
    string? Error,
    [property: Description("The attempt the bot is on while it runs; the attempts it made once it ended.")]
    int Attempts,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    WebhookDeliveryView Webhook);

/// <summary>Where the delivery of an invocation's outcome to its webhook stands.</summary>
public sealed record WebhookDeliveryView(
    [property: Description("pending, retrying, delivered or dead.")]
    string Status,
    int Attempts,
    int? LastStatusCode,
    [property: Description("When a retrying delivery is tried next.")]
    DateTimeOffset? NextAttemptAt);
