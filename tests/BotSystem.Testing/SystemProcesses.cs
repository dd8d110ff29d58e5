namespace BotSystem.Testing;

/// <summary>
/// The whole system as real processes on one Redis, started in the AppHost's order (mock webhook,
/// webhook manager, workers, orchestrator, gateway) in their development configuration, the gateway
/// told where the others are as the AppHost tells it.
/// </summary>
public sealed class SystemProcesses : IAsyncDisposable
{
    private readonly SystemSettings _settings;
    private readonly Dictionary<string, string> _gatewayReferences;

    private SystemProcesses(ServiceSet services, SystemSettings settings, Dictionary<string, string> gatewayReferences)
    {
        Services = services;
        _settings = settings;
        _gatewayReferences = gatewayReferences;
    }

    public ServiceSet Services { get; }

    public string MockWebhookUrl => Services.UrlOf("MockWebhook");

    public string WebhookManagerUrl => Services.UrlOf("WebhookManager");

    public string GatewayUrl => Services.UrlOf("ApiGateway");

    /// <summary>Every service by its resource name (<c>api-gateway</c>, ...) with its base URL.</summary>
    public IReadOnlyDictionary<string, string> UrlsByResource => Services.UrlsByResource;

    public static async Task<SystemProcesses> StartAsync(RedisServer redis, SystemSettings? settings = null)
    {
        settings ??= new SystemSettings();
        var services = new ServiceSet(redis);
        try
        {
            await services.StartAsync("MockWebhook", Environment(settings, settings.MockWebhook));
            await services.StartAsync("WebhookManager", Environment(settings, settings.WebhookManager));
            await services.StartAsync("Workers", Environment(settings, settings.Workers));
            for (var number = 1; number <= settings.Orchestrators; number++)
            {
                await services.StartInstanceAsync(OrchestratorInstance(number), "Orchestrator", Environment(settings, settings.Orchestrator));
            }
            var references = new Dictionary<string, string>
            {
                ["services__webhook-manager__http__0"] = services.UrlOf("WebhookManager"),
                ["services__orchestrator__http__0"] = services.UrlOf("Orchestrator"),
                ["services__workers__http__0"] = services.UrlOf("Workers"),
                ["services__mock-webhook__http__0"] = services.UrlOf("MockWebhook"),
            };
            await services.StartAsync("ApiGateway", Environment(settings, references, settings.ApiGateway));
            return new SystemProcesses(services, settings, references);
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    public static string OrchestratorInstance(int number) => number == 1 ? "Orchestrator" : $"Orchestrator-{number}";

    /// <summary>Starts one more gateway, configured as the first plus <paramref name="overrides"/>, and returns its base URL.</summary>
    public Task<string> StartGatewayAsync(string instance, params (string Name, string Value)[] overrides) =>
        Services.StartInstanceAsync(instance, "ApiGateway", [.. Environment(_settings, _gatewayReferences, _settings.ApiGateway), .. overrides]);

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    private static (string Name, string Value)[] Environment(SystemSettings settings, params Dictionary<string, string>[] specific) =>
        [.. settings.Everywhere.Concat(specific.SelectMany(variables => variables)).Select(variable => (variable.Key, variable.Value))];
}
