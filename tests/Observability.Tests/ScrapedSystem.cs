using BotSystem.Contracts;

namespace Observability.Tests;

/// <summary>
/// The whole system as real processes, a real Prometheus scraping every service each second with the
/// alert rules loaded, and traffic behind it: one invocation of every bot type delivered to the mock
/// webhook, and one whose webhook answers 500 until the delivery is dead.
/// </summary>
public sealed class ScrapedSystem : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private SystemProcesses? _system;
    private PrometheusServer? _prometheus;

    public RedisServer Redis { get; } = new();

    public PrometheusServer Prometheus => _prometheus!;

    public IReadOnlyList<string> Jobs => [.. _system!.UrlsByResource.Keys];

    /// <summary>When the traffic had ended: rule evaluations after it have seen all of it.</summary>
    public DateTimeOffset TrafficEndedAt { get; private set; }

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        _system = await SystemProcesses.StartAsync(Redis, new SystemSettings
        {
            WebhookManager = { ["WEBHOOK_MAX_RETRIES"] = "1", ["WEBHOOK_RETRY_DELAY"] = "100" },
        });
        _prometheus = PrometheusServer.WithOptions(new PrometheusServerOptions
        {
            ScrapeTargets = _system.UrlsByResource.ToDictionary(service => service.Key, service => (IReadOnlyList<string>)[new Uri(service.Value).Authority]),
            RuleFiles = [DeployFiles.AlertRules],
        });
        await _prometheus.InitializeAsync();
        await DriveTrafficAsync();
        TrafficEndedAt = DateTimeOffset.UtcNow;
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
        _http.Dispose();
        await Redis.DisposeAsync();
    }

    private async Task DriveTrafficAsync()
    {
        var gateway = new GatewayClient(_system!.GatewayUrl, _http);
        var delivered = await Task.WhenAll(BotTypes.All.Select(botType =>
            gateway.InvokeOkAsync(new { botType, payload = new { durationMs = 50 }, webhookUrl = $"{_system.MockWebhookUrl}/webhook" })));
        foreach (var jobId in delivered)
        {
            var job = await gateway.WaitForWebhookOutcomeAsync(jobId);
            Assert.Equal("completed", job["status"]!.GetValue<string>());
            Assert.Equal("delivered", job["webhook"]!["status"]!.GetValue<string>());
        }

        // After the others are delivered, so the failures of this endpoint cannot hold them up.
        var failing = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = $"{_system.MockWebhookUrl}/test/error" });
        var dead = await gateway.WaitForWebhookOutcomeAsync(failing);
        Assert.Equal("dead", dead["webhook"]!["status"]!.GetValue<string>());
    }
}
