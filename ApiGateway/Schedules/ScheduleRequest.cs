using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Invocations;
using BotSystem.JobEngine;

namespace BotSystem.ApiGateway.Schedules;

/// <summary>The body of <c>POST /schedules</c>: an invocation like <c>POST /invoke</c>'s, plus when to run it.</summary>
public sealed record ScheduleRequest(InvokeRequest Invocation, string? Name, RepeatOptions Repeat)
{
    public const int MinEveryMs = 1_000;
    public const int MaxNameLength = 100;

    public static ScheduleRequest? Parse(JsonNode? body, GatewayOptions limits, Dictionary<string, string[]> errors)
    {
        var invocation = InvokeRequest.Parse(body, limits, errors);
        if (body is not JsonObject request)
        {
            return null;
        }

        var name = InvokeRequest.Text(request, "name", errors, required: false);
        if (name?.Length > MaxNameLength)
        {
            errors["name"] = [$"Must be at most {MaxNameLength} characters."];
        }
        var cron = InvokeRequest.Text(request, "cron", errors, required: false);
        int? everyMs = request.ContainsKey("everyMs") ? InvokeRequest.Number(request, "everyMs", 0, errors) : null;
        var timeZone = InvokeRequest.Text(request, "timeZone", errors, required: false);
        if ((cron is null) == (everyMs is null) && !errors.ContainsKey("cron") && !errors.ContainsKey("everyMs"))
        {
            errors["cron"] = ["Give exactly one of cron (a cron expression) or everyMs (an interval)."];
        }
        if (everyMs < MinEveryMs && !errors.ContainsKey("everyMs"))
        {
            errors["everyMs"] = [$"Must be at least {MinEveryMs}."];
        }
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors["timeZone"] = [$"Unknown time zone '{timeZone}'; use an IANA name such as Europe/Berlin."];
        }
        if (errors.Count > 0)
        {
            return null;
        }

        var repeat = new RepeatOptions { Pattern = cron, Every = everyMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, TimeZone = timeZone };
        try
        {
            repeat.Validate();
        }
        catch (ArgumentException ex)
        {
            errors["cron"] = [ex.Message];
            return null;
        }
        return new ScheduleRequest(invocation!, name, repeat);
    }

    /// <summary>The schedule as it is stored and shown.</summary>
    public JsonObject ToDefinition() => new()
    {
        ["name"] = Name,
        ["cron"] = Repeat.Pattern,
        ["everyMs"] = Repeat.Every is { } every ? (long)every.TotalMilliseconds : null,
        ["timeZone"] = Repeat.TimeZone,
        ["botType"] = Invocation.BotType,
        ["bot"] = Invocation.Bot,
        ["payload"] = Invocation.Payload.DeepClone(),
        ["webhookUrl"] = Invocation.WebhookUrl,
        ["priority"] = Invocation.Priority,
        ["timeoutSeconds"] = Invocation.TimeoutSeconds,
        ["orderingKey"] = Invocation.OrderingKey,
    };
}
