using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.Contracts.Observability;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace WebhookManager.Tests;

/// <summary>A WebhookManager process with short delays for tests, and the client side of its admin API and queue.</summary>
public sealed class ManagerProcess : IAsyncDisposable
{
    private readonly Queue _queue;

    private ManagerProcess(ServiceProcess process, int port, Queue queue)
    {
        Process = process;
        Port = port;
        _queue = queue;
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Admin.DefaultRequestHeaders.Add("X-Api-Key", TestSecrets.AdminKey);
    }

    public ServiceProcess Process { get; private set; }

    public int Port { get; }

    public HttpClient Admin { get; }

    public static Dictionary<string, string?> Settings(string redis, int port)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__redis"] = redis,
            ["WEBHOOK_MAX_RETRIES"] = "3",
            ["WEBHOOK_RETRY_DELAY"] = "200",
            ["Webhooks__AttemptTimeout"] = "00:00:02",
            ["Webhooks__LockDuration"] = "00:00:03",
            ["Webhooks__StalledInterval"] = "00:00:01",
            ["Webhooks__Endpoint__RateLimitPerSecond"] = "1000",
            ["Webhooks__Endpoint__MaxConcurrentRequests"] = "10",
            ["Webhooks__Endpoint__MinimumThroughput"] = "4",
            ["Webhooks__Endpoint__FailureRatio"] = "0.5",
            ["Webhooks__Endpoint__SamplingDuration"] = "00:00:05",
            ["Webhooks__Endpoint__BreakDuration"] = "00:00:01",
            ["Admin__ApiKey"] = TestSecrets.AdminKey,
            ["Clients__trusted__WebhookSecrets__0"] = TestSecrets.Receiver,
            ["Clients__rotating__WebhookSecrets__0"] = TestSecrets.Retired,
            ["Clients__rotating__WebhookSecrets__1"] = TestSecrets.Receiver,
            ["Clients__rotating__AllowedWebhookHosts__0"] = "127.0.0.1",
            ["Clients__untrusted__WebhookSecrets__0"] = TestSecrets.Receiver,
            ["Clients__unsigned__AllowedWebhookHosts__0"] = "127.0.0.1",
        };
        string[] hosts = ["localhost", .. Enumerable.Range(1, 30).Select(i => $"127.0.0.{i}")];
        for (var i = 0; i < hosts.Length; i++)
        {
            settings[$"Clients__trusted__AllowedWebhookHosts__{i}"] = hosts[i];
        }
        return settings;
    }

    public static async Task<ManagerProcess> StartAsync(RedisServer redis, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var port = FreePort.Next();
        var manager = new ManagerProcess(Launch(redis, port, overrides), port, new Queue(QueueNames.Webhooks, redis.Connection));
        await manager.Process.WaitUntilHealthyAsync($"http://127.0.0.1:{port}/health");
        return manager;
    }

    /// <summary>Starts the process again on the same port after it was killed.</summary>
    public async Task RestartAsync(RedisServer redis, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        await Process.DisposeAsync();
        Process = Launch(redis, Port, overrides);
        await Process.WaitUntilHealthyAsync($"http://127.0.0.1:{Port}/health");
    }

    private static ServiceProcess Launch(RedisServer redis, int port, IReadOnlyDictionary<string, string?>? overrides)
    {
        var settings = Settings(redis.ConnectionString, port);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }
        return ServiceProcess.StartService("WebhookManager", settings);
    }

    /// <summary>Adds a delivery to the <c>webhooks</c> queue as the orchestrator does; returns its webhook id.</summary>
    public async Task<string> DeliverAsync(string url, string clientId = "trusted", string? invocationId = null, TimeSpan? delay = null)
    {
        invocationId ??= "inv-" + Guid.NewGuid().ToString("N");
        var body = new JsonObject
        {
            ["type"] = WebhookEvent.Completed,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["data"] = new JsonObject { ["jobId"] = invocationId, ["status"] = "completed", ["result"] = new JsonObject { ["ü"] = "ünïcode ✓" } },
        }.ToJsonString();
        var data = new WebhookDeliveryJobData
        {
            MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
            InvocationId = invocationId,
            ClientId = clientId,
            Url = url,
            EventType = WebhookEvent.Completed,
            Body = body,
        };
        await _queue.AddAsync("deliver", data, new JobOptions { JobId = WebhookDeliveryJobData.JobIdFor(invocationId), Delay = delay ?? TimeSpan.Zero });
        return data.MessageId;
    }

    public async Task<JsonObject?> DeliveryAsync(string id)
    {
        using var response = await Admin.GetAsync($"/deliveries/{id}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Waits until the delivery reaches <paramref name="status"/>; fails with its state and the process output otherwise.</summary>
    public async Task<JsonObject> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await DeliveryAsync(id);
            }
            catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                // The manager's connection to Redis is coming back (a test cut it): asked again.
            }
            if ((string?)last?["delivery"]?["status"] == status)
            {
                return last;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Delivery {id} did not become {status}; last state: {last?.ToJsonString()}\n{Process.Output}");
    }

    /// <summary>The postponements for <paramref name="reason"/> the manager publishes on <c>/metrics</c>; null when it publishes none.</summary>
    public async Task<double?> PostponementsAsync(string reason) =>
        (await PrometheusExposition.ScrapeAsync($"http://127.0.0.1:{Port}/metrics"))
        .SingleOrDefault(sample => sample.Name == MetricNames.WebhookPostponements && sample.Label("reason") == reason)?.Value;

    public static IReadOnlyList<JsonObject> History(JsonObject view) => [.. view["history"]!.AsArray().Select(a => a!.AsObject())];

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _queue.DisposeAsync();
        await Process.DisposeAsync();
    }
}
