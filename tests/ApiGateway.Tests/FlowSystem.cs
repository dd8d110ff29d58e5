using System.Text.Json.Nodes;

namespace ApiGateway.Tests;

/// <summary>The whole flow as real processes: gateway, orchestrator, runners, webhook manager and mock webhook on one Redis.</summary>
public sealed class FlowSystem : IAsyncLifetime
{
    public const string ClientKey = GatewayClient.DevelopmentClientKey;
    public const string OtherClientKey = "other-api-key";
    public const string AdminKey = GatewayClient.DevelopmentAdminKey;
    public const int MaxJavaBots = 3;

    private SystemProcesses? _system;
    private GatewayClient? _gateway;

    public RedisServer Redis { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string GatewayUrl => _system!.GatewayUrl;

    public string MockWebhookUrl => _system!.MockWebhookUrl;

    public ServiceSet Services => _system!.Services;

    public object Webhook => $"{MockWebhookUrl}/webhook";

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        _system = await SystemProcesses.StartAsync(Redis, new SystemSettings
        {
            WebhookManager = { ["WEBHOOK_RETRY_DELAY"] = "100" },
            Workers = { ["Workers__JavaConcurrency"] = "10" },
            Orchestrator = { ["MAX_JAVA_BOTS"] = MaxJavaBots.ToString(), ["Orchestrator__StalledInterval"] = "00:00:02" },
            ApiGateway = { ["Clients__other__ApiKeyHash"] = "e4c0d6a96d89f0f2ca26312d2715555bd8e470eb47ce309f3125a120a63f7de1" },
        });
        _gateway = new GatewayClient(GatewayUrl, Http);
    }

    public Task<HttpResponseMessage> InvokeAsync(object body, string apiKey = ClientKey, string? idempotencyKey = null) =>
        _gateway!.InvokeAsync(body, apiKey, idempotencyKey);

    public Task<string> InvokeOkAsync(object body) => _gateway!.InvokeOkAsync(body);

    public Task<JsonNode?> GetJobAsync(string jobId, string apiKey = ClientKey) => _gateway!.GetJobAsync(jobId, apiKey);

    public Task<JsonNode> WaitForEndAsync(string jobId, TimeSpan? timeout = null) => _gateway!.WaitForEndAsync(jobId, timeout);

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
        Http.Dispose();
        await Redis.DisposeAsync();
    }
}

[CollectionDefinition(nameof(FlowCollection))]
public sealed class FlowCollection : ICollectionFixture<FlowSystem>;
