using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>The body of <c>POST /invoke</c>, validated field by field into problem-details errors.</summary>
public sealed record InvokeRequest(string BotType, string Bot, JsonObject Payload, string WebhookUrl, int Priority, int TimeoutSeconds, string? OrderingKey)
{
    public const int MinPriority = 1;
    public const int MaxPriority = 10;
    public const int MaxOrderingKeyLength = 128;

    public static InvokeRequest? Parse(JsonNode? body, GatewayOptions limits, Dictionary<string, string[]> errors)
    {
        if (body is not JsonObject request)
        {
            errors["body"] = ["The body must be a JSON object."];
            return null;
        }

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

        return errors.Count == 0 ? new InvokeRequest(botType!, bot!, payload!, webhookUrl!, priority, timeout, orderingKey) : null;
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

    internal static int Number(JsonObject request, string field, int fallback, Dictionary<string, string[]> errors)
    {
        var node = request[field];
        if (node is null)
        {
            return fallback;
        }
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var value))
        {
            return value;
        }
        errors[field] = ["Must be a whole number."];
        return fallback;
    }
}
