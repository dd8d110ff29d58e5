using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace ApiGateway.Tests;

/// <summary>The whole flow as real processes: gateway, orchestrator, runners, webhook manager and mock webhook on one Redis.</summary>
public class FlowSystem : IAsyncLifetime
{
    public const string ClientKey = GatewayClient.DevelopmentClientKey;
    public const string OtherClientKey = "other-api-key";

    /// <summary>The gateway setting that makes <see cref="OtherClientKey"/> a client's key (its SHA-256).</summary>
    public static readonly (string Name, string Value) OtherClient = ("Clients__other__ApiKeyHash", "e4c0d6a96d89f0f2ca26312d2715555bd8e470eb47ce309f3125a120a63f7de1");
    public const string AdminKey = GatewayClient.DevelopmentAdminKey;
    public const int MaxJavaBots = 3;
    public const int MaxPythonBots = 5;
    public const int KeepFinishedJobs = 30;
    public static readonly TimeSpan OrchestratorLeaseTime = TimeSpan.FromSeconds(4);
    public const string ChatTrigger = "chat";
    public const string ChatTriggerSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string RepositoryTrigger = "repository";
    public const string RepositoryTriggerSecret = "repository-shared-secret";
    public const string RepositorySignatureHeader = "X-Hub-Signature-256";

    private readonly int _orchestrators;
    private SystemProcesses? _system;
    private GatewayClient? _gateway;
    private Lazy<Task<string>>? _triggerGateway;

    public FlowSystem()
        : this(orchestrators: 1)
    {
    }

    protected FlowSystem(int orchestrators) => _orchestrators = orchestrators;

    public RedisServer Redis { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string GatewayUrl => _system!.GatewayUrl;

    public string MockWebhookUrl => _system!.MockWebhookUrl;

    public ServiceSet Services => _system!.Services;

    public object Webhook => $"{MockWebhookUrl}/webhook";

    /// <summary>The job data of the development client's python invocation of <paramref name="durationMs"/> in ordering line <paramref name="orderingKey"/>.</summary>
    public InvocationJobData OrderedPythonInvocation(string orderingKey, int durationMs) => new()
    {
        ClientId = "dev",
        BotType = BotTypes.Python,
        Bot = "data_analysis",
        Payload = new JsonObject { ["durationMs"] = durationMs },
        WebhookUrl = $"{MockWebhookUrl}/webhook",
        OrderingKey = orderingKey,
    };

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        var settings = new SystemSettings
        {
            Orchestrators = _orchestrators,
            WebhookManager = { ["WEBHOOK_RETRY_DELAY"] = "100" },
            Workers = { ["Workers__JavaConcurrency"] = "10" },
            Orchestrator =
            {
                ["MAX_JAVA_BOTS"] = MaxJavaBots.ToString(),
                ["MAX_PYTHON_BOTS"] = MaxPythonBots.ToString(),
                ["Orchestrator__StalledInterval"] = "00:00:02",
                ["Orchestrator__LeaseTime"] = OrchestratorLeaseTime.ToString(),
                ["Orchestrator__KeepFinishedJobs"] = KeepFinishedJobs.ToString(),
            },
            ApiGateway = { [OtherClient.Name] = OtherClient.Value },
        };
        _system = await SystemProcesses.StartAsync(Redis, settings);
        _gateway = new GatewayClient(GatewayUrl, Http);
        _triggerGateway = new Lazy<Task<string>>(StartTriggerGatewayAsync);
    }

    /// <summary>A gateway with inbound triggers configured (their webhook is the mock webhook, known only once it runs).</summary>
    public Task<string> TriggerGatewayUrlAsync() => _triggerGateway!.Value;

    /// <summary>Starts another gateway with the inbound triggers configured, and extra settings; returns its base URL.</summary>
    public Task<string> StartTriggerGatewayAsync(string instance, params (string Name, string Value)[] settings) =>
        StartGatewayAsync(instance, [.. TriggerSettings(), .. settings]);

    private Task<string> StartTriggerGatewayAsync() => StartTriggerGatewayAsync("ApiGateway-triggers");

    private (string Name, string Value)[] TriggerSettings() =>
    [
        ($"Clients__dev__Triggers__{ChatTrigger}__Secret", ChatTriggerSecret),
        ($"Clients__dev__Triggers__{ChatTrigger}__BotType", "python"),
        ($"Clients__dev__Triggers__{ChatTrigger}__WebhookUrl", $"{MockWebhookUrl}/webhook"),
        ($"Clients__dev__Triggers__{RepositoryTrigger}__Secret", RepositoryTriggerSecret),
        ($"Clients__dev__Triggers__{RepositoryTrigger}__SignatureHeader", RepositorySignatureHeader),
        ($"Clients__dev__Triggers__{RepositoryTrigger}__BotType", "node"),
        ($"Clients__dev__Triggers__{RepositoryTrigger}__WebhookUrl", $"{MockWebhookUrl}/webhook"),
    ];

    public static string OrchestratorInstance(int number) => SystemProcesses.OrchestratorInstance(number);

    public Task<HttpResponseMessage> InvokeAsync(object body, string apiKey = ClientKey, string? idempotencyKey = null) =>
        _gateway!.InvokeAsync(body, apiKey, idempotencyKey);

    public Task<string> InvokeOkAsync(object body) => _gateway!.InvokeOkAsync(body);

    public Task<JsonNode?> GetJobAsync(string jobId, string apiKey = ClientKey) => _gateway!.GetJobAsync(jobId, apiKey);

    public Task<JsonNode> WaitForEndAsync(string jobId, TimeSpan? timeout = null) => _gateway!.WaitForEndAsync(jobId, timeout);

    /// <summary>Starts another gateway of this system with extra settings and returns its base URL.</summary>
    public Task<string> StartGatewayAsync(string instance, params (string Name, string Value)[] settings) =>
        _system!.StartGatewayAsync(instance, settings);

    /// <summary>Sends a request to the gateway with an API key and, if given, a JSON body.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string apiKey = ClientKey, object? body = null, string? gatewayUrl = null)
    {
        using var request = new HttpRequestMessage(method, $"{gatewayUrl ?? GatewayUrl}{path}");
        request.Headers.Add("X-Api-Key", apiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await Http.SendAsync(request);
    }

    /// <summary>Polls <c>GET /job/{id}</c> until the job reaches <paramref name="status"/>.</summary>
    /// <summary>What the mock webhook received for the invocation (<c>id</c>, <c>headers</c>, <c>body</c>, <c>signatureValid</c>), once it has.</summary>
    public async Task<JsonNode> WaitForDeliveryAsync(string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var deliveries = (await Http.GetFromJsonAsync<JsonArray>($"{MockWebhookUrl}/deliveries"))!;
            if (deliveries.FirstOrDefault(delivery => (string?)delivery!["id"] == WebhookDeliveryJobData.MessageIdFor(jobId)) is { } delivery)
            {
                return delivery;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No webhook arrived for {jobId}.");
    }

    public Task WaitForStatusAsync(string jobId, string status) =>
        EventuallyAsync(async () => (await GetJobAsync(jobId))?["status"]?.GetValue<string>() == status, $"job {jobId} never became {status}");

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails with <paramref name="failure"/> after a minute or <paramref name="timeout"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(condition, timeout ?? TimeSpan.FromSeconds(60), failure);

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

/// <summary>The whole flow with two orchestrators sharing the work.</summary>
public sealed class TwoOrchestratorSystem() : FlowSystem(orchestrators: 2);

[CollectionDefinition(nameof(TwoOrchestratorCollection))]
public sealed class TwoOrchestratorCollection : ICollectionFixture<TwoOrchestratorSystem>;
