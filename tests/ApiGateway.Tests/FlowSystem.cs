using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ApiGateway.Tests;

/// <summary>The whole flow as real processes: gateway, orchestrator, runners, webhook manager and mock webhook on one Redis.</summary>
public class FlowSystem : IAsyncLifetime
{
    private readonly int _orchestrators;

    public FlowSystem()
        : this(orchestrators: 1)
    {
    }

    protected FlowSystem(int orchestrators) => _orchestrators = orchestrators;

    public const string ClientKey = "dev-api-key";
    public const string OtherClientKey = "other-api-key";
    public const string AdminKey = "dev-admin-key";
    public const int MaxJavaBots = 3;
    public const int MaxPythonBots = 5;
    public const int KeepFinishedJobs = 30;
    public const string ChatTrigger = "chat";
    public const string ChatTriggerSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string RepositoryTrigger = "repository";
    public const string RepositoryTriggerSecret = "repository-shared-secret";
    public const string RepositorySignatureHeader = "X-Hub-Signature-256";

    private ServiceSet? _services;

    public RedisServer Redis { get; } = new();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string GatewayUrl { get; private set; } = "";

    public string MockWebhookUrl { get; private set; } = "";

    public ServiceSet Services => _services!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        _services = new ServiceSet(Redis);
        MockWebhookUrl = await _services.StartAsync("MockWebhook");
        await _services.StartAsync("WebhookManager", ("WEBHOOK_RETRY_DELAY", "100"));
        await _services.StartAsync("Workers", ("Workers__JavaConcurrency", "10"));
        for (var i = 1; i <= _orchestrators; i++)
        {
            await _services.StartInstanceAsync(OrchestratorInstance(i), "Orchestrator", ("MAX_JAVA_BOTS", MaxJavaBots.ToString()), ("MAX_PYTHON_BOTS", MaxPythonBots.ToString()),
                ("Orchestrator__StalledInterval", "00:00:02"), ("Orchestrator__LeaseTime", "00:00:04"),
                ("Orchestrator__KeepFinishedJobs", KeepFinishedJobs.ToString()));
        }
        GatewayUrl = await StartGatewayAsync("ApiGateway");
    }

    public static string OrchestratorInstance(int number) => number == 1 ? "Orchestrator" : $"Orchestrator-{number}";

    /// <summary>Starts a gateway of this system (another one when <paramref name="instance"/> is new) with extra settings.</summary>
    public Task<string> StartGatewayAsync(string instance, params (string Name, string Value)[] settings) =>
        Services.StartInstanceAsync(instance, "ApiGateway", [
            ("services__webhook-manager__http__0", Services.UrlOf("WebhookManager")),
            ("Clients__other__ApiKeyHash", "e4c0d6a96d89f0f2ca26312d2715555bd8e470eb47ce309f3125a120a63f7de1"),
            ($"Clients__dev__Triggers__{ChatTrigger}__Secret", ChatTriggerSecret),
            ($"Clients__dev__Triggers__{ChatTrigger}__BotType", "python"),
            ($"Clients__dev__Triggers__{ChatTrigger}__WebhookUrl", $"{MockWebhookUrl}/webhook"),
            ($"Clients__dev__Triggers__{RepositoryTrigger}__Secret", RepositoryTriggerSecret),
            ($"Clients__dev__Triggers__{RepositoryTrigger}__SignatureHeader", RepositorySignatureHeader),
            ($"Clients__dev__Triggers__{RepositoryTrigger}__BotType", "node"),
            ($"Clients__dev__Triggers__{RepositoryTrigger}__WebhookUrl", $"{MockWebhookUrl}/webhook"),
            .. settings,
        ]);

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
    public Task WaitForStatusAsync(string jobId, string status) =>
        EventuallyAsync(async () => (await GetJobAsync(jobId))?["status"]?.GetValue<string>() == status, $"job {jobId} never became {status}");

    /// <summary>Polls <paramref name="condition"/> until it holds, or fails with <paramref name="failure"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException(failure);
    }

    public async Task<HttpResponseMessage> InvokeAsync(object body, string apiKey = ClientKey, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{GatewayUrl}/invoke") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", apiKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await Http.SendAsync(request);
    }

    public async Task<string> InvokeOkAsync(object body)
    {
        using var response = await InvokeAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["jobId"]!.GetValue<string>();
    }

    public async Task<JsonNode?> GetJobAsync(string jobId, string apiKey = ClientKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{GatewayUrl}/job/{jobId}");
        request.Headers.Add("X-Api-Key", apiKey);
        using var response = await Http.SendAsync(request);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    /// <summary>Polls <c>GET /job/{id}</c> until the job is completed, failed or cancelled.</summary>
    public async Task<JsonNode> WaitForEndAsync(string jobId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        JsonNode? job = null;
        while (DateTime.UtcNow < deadline)
        {
            job = await GetJobAsync(jobId);
            if (job?["status"]?.GetValue<string>() is "completed" or "failed" or "cancelled")
            {
                return job;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Job {jobId} did not end; last seen {job?.ToJsonString()}");
    }

    public object Webhook => $"{MockWebhookUrl}/webhook";

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
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
