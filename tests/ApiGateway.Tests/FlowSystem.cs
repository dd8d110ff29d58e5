using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ApiGateway.Tests;

/// <summary>The whole flow as real processes: gateway, orchestrator, runners, webhook manager and mock webhook on one Redis.</summary>
public sealed class FlowSystem : IAsyncLifetime
{
    public const string ClientKey = "dev-api-key";
    public const string OtherClientKey = "other-api-key";
    public const string AdminKey = "dev-admin-key";
    public const int MaxJavaBots = 3;

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
        var webhookManager = await _services.StartAsync("WebhookManager", ("WEBHOOK_RETRY_DELAY", "100"));
        await _services.StartAsync("Workers", ("Workers__JavaConcurrency", "10"));
        await _services.StartAsync("Orchestrator", ("MAX_JAVA_BOTS", MaxJavaBots.ToString()), ("Orchestrator__StalledInterval", "00:00:02"));
        GatewayUrl = await _services.StartAsync("ApiGateway",
            ("services__webhook-manager__http__0", webhookManager),
            ("Clients__other__ApiKeyHash", "e4c0d6a96d89f0f2ca26312d2715555bd8e470eb47ce309f3125a120a63f7de1"));
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
