namespace BotSystem.Testing;

/// <summary>Environment variables for a <see cref="SystemProcesses"/> start: for every service, and for each one.</summary>
public sealed class SystemSettings
{
    /// <summary>Given to every service, e.g. the OpenTelemetry exporter settings.</summary>
    public Dictionary<string, string> Everywhere { get; } = [];

    public Dictionary<string, string> MockWebhook { get; } = [];

    public Dictionary<string, string> WebhookManager { get; } = [];

    public Dictionary<string, string> Workers { get; } = [];

    public Dictionary<string, string> Orchestrator { get; } = [];

    /// <summary>How many orchestrator processes share the work (instances <c>Orchestrator</c>, <c>Orchestrator-2</c>, ...).</summary>
    public int Orchestrators { get; init; } = 1;

    public Dictionary<string, string> ApiGateway { get; } = [];
}
