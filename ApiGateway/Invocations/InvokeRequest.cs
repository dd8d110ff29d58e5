using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Apis;
using BotSystem.Contracts;
using Microsoft.OpenApi;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>The body of <c>POST /invoke</c>, validated field by field into problem-details errors.</summary>
public sealed record InvokeRequest(string BotType, string Bot, JsonObject Payload, string WebhookUrl, int Priority, int TimeoutSeconds, string? OrderingKey)
{
    public const int MinPriority = 1;
    public const int MaxPriority = 10;
    public const int MaxOrderingKeyLength = 128;

    /// <summary>The fields of the body.</summary>
    public static readonly IReadOnlyList<RequestField> Fields =
    [
        new("botType", JsonSchemaType.String, $"The bot's runtime: {string.Join(", ", BotTypes.All)}.", Required: true),
        new("bot", JsonSchemaType.String, "Which bot of that runtime runs; each runtime has a default."),
        new("payload", JsonSchemaType.Object, "What the bot is given: a JSON object.", Required: true),
        new("webhookUrl", JsonSchemaType.String,
            $"Where the result is delivered: an absolute http(s) URL of at most {WebhookUrlPolicy.MaxUrlLength} characters, without credentials, to a public address unless the client's allowlist names its host.",
            Required: true),
        new("priority", JsonSchemaType.Integer, $"From {MinPriority} (highest, the default) to {MaxPriority}; a higher one gets a free bot slot first."),
        new("timeoutSeconds", JsonSchemaType.Integer, "How long the bot may run, from 1 to the gateway's configured maximum."),
        new("orderingKey", JsonSchemaType.String, $"Invocations of a client with the same key (at most {MaxOrderingKeyLength} characters) run one at a time, in arrival order."),
    ];

    /// <summary>Parses the invocation's fields of a body whose fields are <paramref name="fields"/> (by default <see cref="Fields"/>).</summary>
    public static InvokeRequest? Parse(JsonNode? body, GatewayOptions limits, Dictionary<string, string[]> errors, IReadOnlyList<RequestField>? fields = null)
    {
        if (body is not JsonObject request)
        {
            errors["body"] = ["The body must be a JSON object."];
            return null;
        }
        RequestField.RefuseUnknown(request, fields ?? Fields, errors);

        var botType = Text(request, "botType", errors, required: true);
        if (botType is not null && !BotTypes.IsKnown(botType))
        {
            errors["botType"] = [$"Unknown bot type '{botType}'; use one of {string.Join(", ", BotTypes.All)}."];
        }
        var bot = Text(request, "bot", errors, required: false);
        if (botType is not null && BotTypes.IsKnown(botType))
        {
            bot ??= BotCatalog.DefaultBot(botType);
            if (!BotCatalog.IsKnown(botType, bot))
            {
                errors["bot"] = [$"Unknown {botType} bot '{bot}'; use one of {string.Join(", ", BotCatalog.BotsOf(botType))}."];
            }
        }
        var payload = request["payload"] as JsonObject;
        if (payload is null)
        {
            errors["payload"] = [request.ContainsKey("payload") ? "Must be a JSON object." : "Is required."];
        }
        var webhookUrl = Text(request, "webhookUrl", errors, required: true);
        var priority = Number(request, "priority", 1, errors);
        if (priority is < MinPriority or > MaxPriority)
        {
            errors["priority"] = [$"Must be from {MinPriority} (highest) to {MaxPriority}."];
        }
        var timeout = Number(request, "timeoutSeconds", limits.DefaultTimeoutSeconds, errors);
        if (timeout < 1 || timeout > limits.MaxTimeoutSeconds)
        {
            errors["timeoutSeconds"] = [$"Must be from 1 to {limits.MaxTimeoutSeconds}."];
        }
        var orderingKey = Text(request, "orderingKey", errors, required: false);
        if (orderingKey?.Length > MaxOrderingKeyLength)
        {
            errors["orderingKey"] = [$"Must be at most {MaxOrderingKeyLength} characters."];
        }

        return errors.Count == 0 ? new InvokeRequest(botType!, bot!, payload!, webhookUrl!, (int)priority, (int)timeout, orderingKey) : null;
    }

    public InvocationJobData ToJobData(string clientId, string? scheduleId = null) => new()
    {
        ClientId = clientId,
        BotType = BotType,
        Bot = Bot,
        Payload = Payload,
        WebhookUrl = WebhookUrl,
        Priority = Priority,
        TimeoutSeconds = TimeoutSeconds,
        OrderingKey = OrderingKey,
        ScheduleId = scheduleId,
    };

    internal static string? Text(JsonObject request, string field, Dictionary<string, string[]> errors, bool required)
    {
        var node = request[field];
        if (node is null)
        {
            if (required)
            {
                errors[field] = ["Is required."];
            }
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(node.GetValue<string>()))
        {
            errors[field] = ["Must be a non-empty string."];
            return null;
        }
        return node.GetValue<string>();
    }

    /// <summary>
    /// A whole number, written as JSON writers do (2, 2.0 or 2e0); one beyond a long's range comes back as the
    /// nearest long, so that the field's own range check refuses it.
    /// </summary>
    internal static long Number(JsonObject request, string field, long fallback, Dictionary<string, string[]> errors)
    {
        var node = request[field];
        if (node is null)
        {
            return fallback;
        }
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<double>(out var value) && double.IsInteger(value))
        {
            return value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)value;
        }
        errors[field] = ["Must be a whole number."];
        return fallback;
    }
}
