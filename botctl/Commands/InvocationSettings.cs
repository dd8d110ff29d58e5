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
    public string? Bot { get; init; }

    [CommandOption("--payload <JSON>")]
    [Description("A JSON object, or @file to read it from a file.")]
    public string Payload { get; init; } = "{}";

    [CommandOption("--webhook <URL>")]
    public string? Webhook { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Webhook) ? ValidationResult.Error("--webhook <URL> is required.") : ValidationResult.Success();

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
        return invocation;
    }
}
