using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Apis;
using BotSystem.ApiGateway.Invocations;
using BotSystem.JobEngine;
using Microsoft.OpenApi;

namespace BotSystem.ApiGateway.Schedules;

/// <summary>The body of <c>POST /schedules</c>: an invocation like <c>POST /invoke</c>'s, plus when to run it.</summary>
public sealed record ScheduleRequest(InvokeRequest Invocation, string? Name, RepeatOptions Repeat)
{
    public const long MinEveryMs = 1_000;
    public const long MaxEveryMs = 366L * 24 * 60 * 60 * 1_000;
    public const int MaxNameLength = 100;

    /// <summary>The fields of the body: an invocation's, and when it runs.</summary>
    public static readonly IReadOnlyList<RequestField> Fields =
    [
        .. InvokeRequest.Fields,
        new("name", JsonSchemaType.String, $"A name to tell the schedule by, at most {MaxNameLength} characters."),
        new("cron", JsonSchemaType.String, "When to run, as a cron pattern (five fields, or six with seconds first); give this or everyMs."),
        new("everyMs", JsonSchemaType.Integer, $"How often to run, in milliseconds, from {MinEveryMs} to {MaxEveryMs} (366 days); give this or cron."),
        new("timeZone", JsonSchemaType.String, "The IANA time zone the cron pattern is read in, such as Europe/Berlin; UTC by default. Not with everyMs."),
    ];

    public static ScheduleRequest? Parse(JsonNode? body, GatewayOptions limits, Dictionary<string, string[]> errors)
    {
        var invocation = InvokeRequest.Parse(body, limits, errors, Fields);
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
        // A null is no interval, as a null cron is no pattern: a client writing every field of its type sends one of them null.
        long? everyMs = request["everyMs"] is null ? null : InvokeRequest.Number(request, "everyMs", 0, errors);
        var timeZone = InvokeRequest.Text(request, "timeZone", errors, required: false);
        if ((cron is null) == (everyMs is null) && !errors.ContainsKey("cron") && !errors.ContainsKey("everyMs"))
        {
            errors["cron"] = ["Give exactly one of cron (a cron expression) or everyMs (an interval)."];
        }
        if (everyMs is < MinEveryMs or > MaxEveryMs && !errors.ContainsKey("everyMs"))
        {
            errors["everyMs"] = [$"Must be from {MinEveryMs} to {MaxEveryMs} (366 days)."];
        }
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors["timeZone"] = [$"Unknown time zone '{timeZone}'; use an IANA name such as Europe/Berlin."];
        }
        else if (timeZone is not null && cron is null && everyMs is not null)
        {
            // Runs every so many milliseconds fall alike in any zone: one sent with them would be kept and shown, but change nothing.
            errors["timeZone"] = ["Only a cron pattern is read in a time zone; leave it out with everyMs."];
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
            // The message without the " (Parameter 'repeat')" that names the engine's argument, not a field of the body.
            errors["cron"] = [ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal)];
            return null;
        }
        return new ScheduleRequest(invocation!, name, repeat);
    }

    /// <summary>The schedule as it is stored and shown.</summary>
    public ScheduleDefinition ToDefinition() => new()
    {
        Name = Name,
        Cron = Repeat.Pattern,
        EveryMs = Repeat.Every is { } every ? (long)every.TotalMilliseconds : null,
        TimeZone = Repeat.TimeZone,
        BotType = Invocation.BotType,
        Bot = Invocation.Bot,
        Payload = Invocation.Payload,
        WebhookUrl = Invocation.WebhookUrl,
        Priority = Invocation.Priority,
        TimeoutSeconds = Invocation.TimeoutSeconds,
        OrderingKey = Invocation.OrderingKey,
    };
}
