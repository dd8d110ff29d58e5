using System.ComponentModel;
using System.Text.Json.Nodes;

namespace BotSystem.ApiGateway.Schedules;

/// <summary>What a schedule runs and when, as it was asked for and is stored.</summary>
public record ScheduleDefinition
{
    public string? Name { get; init; }

    [Description("The cron pattern, when the schedule runs by one.")]
    public string? Cron { get; init; }

    [Description("The interval in milliseconds, when the schedule runs by one.")]
    public long? EveryMs { get; init; }

    public string? TimeZone { get; init; }

    public string BotType { get; init; } = "";

    public string Bot { get; init; } = "";

    public JsonObject Payload { get; init; } = [];

    public string WebhookUrl { get; init; } = "";

    public int Priority { get; init; }

    public int TimeoutSeconds { get; init; }

    public string? OrderingKey { get; init; }
}

/// <summary>A schedule as <c>/schedules</c> shows it: its definition, whose it is and how its runs go.</summary>
public sealed record ScheduleView : ScheduleDefinition
{
    public ScheduleView(ScheduleDefinition definition) : base(definition)
    {
    }

    public string ScheduleId { get; init; } = "";

    public string ClientId { get; init; } = "";

    public DateTimeOffset? CreatedAt { get; init; }

    [Description("When it runs next, in the schedule's time zone; null once it will not run again.")]
    public DateTimeOffset? NextRunAt { get; init; }

    [Description("The invocations it has started.")]
    public long Runs { get; init; }

    public string? LastInvocationId { get; init; }

    public DateTimeOffset? LastRunAt { get; init; }
}
