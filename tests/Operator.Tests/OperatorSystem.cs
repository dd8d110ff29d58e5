using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace Operator.Tests;

/// <summary>
/// Redis and every service (the runners serving node bots) as real processes in their development
/// configuration: what an operator's dashboard and botctl talk to.
/// </summary>
public sealed class OperatorSystem : IAsyncLifetime
{
    public const string AdminKey = GatewayClient.DevelopmentAdminKey;
    public const string ClientKey = GatewayClient.DevelopmentClientKey;

    private SystemProcesses? _system;

    public RedisServer Redis { get; } = new();

    public string GatewayUrl => _system!.GatewayUrl;

    public string WebhookManagerUrl => _system!.WebhookManagerUrl;

    public string MockWebhookUrl => _system!.MockWebhookUrl;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        _system = await SystemProcesses.StartAsync(Redis, new SystemSettings
        {
            WebhookManager = { ["WEBHOOK_MAX_RETRIES"] = "0" },
            Workers = { ["Workers__Types__0"] = "node" },
        });
    }

    /// <summary>Makes the mock webhook refuse the next delivery with a permanent 400, and waits until it is dead.</summary>
    public async Task<string> MakeDeadDeliveryAsync(string invocationId)
    {
        using var configure = await Http.PutAsJsonAsync($"{MockWebhookUrl}/config", new { failNext = 1, statusCode = 400 });
        configure.EnsureSuccessStatusCode();

        var body = new JsonObject
        {
            ["type"] = WebhookEvent.Failed,
            ["timestamp"] = DateTimeOffset.UtcNow,
            ["data"] = new JsonObject { ["jobId"] = invocationId },
        }.ToJsonString();
        await using var webhooks = new BotSystem.JobEngine.Queue(QueueNames.Webhooks, Redis.Connection);
        await webhooks.AddAsync("deliver", new WebhookDeliveryJobData
        {
            MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
            InvocationId = invocationId,
            ClientId = "dev",
            Url = $"{MockWebhookUrl}/webhook",
            EventType = WebhookEvent.Failed,
            Body = body,
        });

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{WebhookManagerUrl}/deliveries?status=dead");
            request.Headers.Add("X-Api-Key", AdminKey);
            using var response = await Http.SendAsync(request);
            var dead = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
            if (dead.FirstOrDefault(d => d?["invocationId"]?.GetValue<string>() == invocationId)?["id"]?.GetValue<string>() is { } id)
            {
                return id;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The delivery of {invocationId} did not reach the dead letter queue.");
    }

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
