using System.ComponentModel;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>What an invocation is made of.</summary>
public class InvocationSettings : GatewaySettings
{
    [CommandArgument(0, "<type>")]
    [Description("Bot type: python, node or java.")]
    public string BotType { get; init; } = "";

    [CommandOption("--bot <NAME>")]
    [Description("Bot of the type to run (default: the type's default bot).")]
    public string? Bot { get; init; }

    [CommandOption("--payload <JSON>")]
    [Description("A JSON object, or @file to read it from a file.")]
    public string Payload { get; init; } = "{}";

    [CommandOption("--webhook <URL>")]
    [Description("Where the result is delivered (required).")]
    public string? Webhook { get; init; }

    [CommandOption("--priority <N>")]
    [Description("From 1 (highest, the default) to 10.")]
    public string? Priority { get; init; }

    [CommandOption("--timeout <SECONDS>")]
    [Description("How long the bot may run (default 60).")]
    public string? TimeoutSeconds { get; init; }

    public override ValidationResult Validate() =>
        base.Validate() is { Successful: false } key ? key
        : string.IsNullOrWhiteSpace(Webhook) ? ValidationResult.Error("--webhook <URL> is required.")
        : WholeNumberOption.Check(Priority, "--priority") is { Successful: false } priority ? priority
        : WholeNumberOption.Check(TimeoutSeconds, "--timeout");

    /// <summary>The <c>/invoke</c> body these settings describe.</summary>
    public JsonObject ToInvocation()
    {
        var invocation = new JsonObject
        {
            ["botType"] = BotType,
            ["payload"] = JsonPayload.Parse(Payload),
            ["webhookUrl"] = Webhook,
        };
        if (Bot is not null)
        {
            invocation["bot"] = Bot;
        }
        if (WholeNumberOption.Read(Priority) is { } priority)
        {
            invocation["priority"] = priority;
        }
        if (WholeNumberOption.Read(TimeoutSeconds) is { } timeout)
        {
            invocation["timeoutSeconds"] = timeout;
        }
        return invocation;
    }
}
