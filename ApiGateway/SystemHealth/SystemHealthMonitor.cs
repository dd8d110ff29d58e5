using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using BotSystem.ApiGateway.Admin;
using BotSystem.Contracts;
using BotSystem.Contracts.Observability;
using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.SystemHealth;

/// <summary>
/// Checks, every refresh interval, each service's <c>/health</c>, Redis latency and whether it takes writes, the
/// queues, the webhook circuits and the live workers, and keeps the verdict (healthy / degraded / unhealthy) with
/// its reasons for <c>GET /health/system</c>.
/// </summary>
public sealed class SystemHealthMonitor(
    IConnectionMultiplexer redis,
    AdminQueues queues,
    SystemOverview overview,
    IHttpClientFactory httpClients,
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IOptions<SystemHealthOptions> options,
    ILogger<SystemHealthMonitor> logger) : BackgroundService
{
    public const string HttpClientName = "system-health";

    // Written on every check: a Redis that answers PING may still refuse every write (disk full, out of memory, replica).
    private const string WriteProbeKey = "botsystem:health:write-probe";
    private static readonly CachedLuaScript EvictionPolicyScript = new(CachedLuaScript.ReadEmbedded(typeof(SystemHealthMonitor).Assembly, "readEvictionPolicy.lua"));

    public SystemHealthReport Current { get; private set; } = SystemHealthReport.NotYetChecked;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.SystemHealthStatus, StatusMeasurement,
            description: "The verdict of GET /health/system: 0 healthy, 1 degraded, 2 unhealthy.");
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        do
        {
            SystemHealthReport report;
            try
            {
                report = await CheckAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A check that breaks half-way (Redis going away mid-check) is itself the finding.
                report = SystemHealthReport.NotYetChecked with
                {
                    CheckedAt = DateTimeOffset.UtcNow,
                    Reasons = [.. RedisReason(), $"The health check failed: {ex.Message}"],
                };
            }
            if (report.Status != Current.Status && report.Reasons.Count == 0)
            {
                logger.LogInformation("System health is {Status}", report.Status);
            }
            else if (report.Status != Current.Status)
            {
                // A turn for the worse is a warning, for whoever watches the logs by level rather than the health report.
                logger.LogWarning("System health is {Status}: {Reasons}", report.Status, string.Join("; ", report.Reasons));
            }
            Current = report;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<int>> StatusMeasurement()
    {
        var report = Current;
        if (report.CheckedAt == DateTimeOffset.MinValue)
        {
            return [];
        }
        return [new(report.Status switch
        {
            SystemHealthReport.Healthy => MetricLabelValues.SystemHealthy,
            SystemHealthReport.Degraded => MetricLabelValues.SystemDegraded,
            _ => MetricLabelValues.SystemUnhealthy,
        })];
    }

    private IEnumerable<string> RedisReason() => redis.IsConnected ? [] : ["Redis is unreachable."];

    private async Task<SystemHealthReport> CheckAsync(CancellationToken ct)
    {
        var unhealthy = new List<string>();
        var degraded = new List<string>();

        double? latency = null;
        try
        {
            latency = (await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), ct)).TotalMilliseconds;
        }
        catch (RedisServerException ex)
        {
            // It answers, with an error: it cannot write its disk (MISCONF), or is loading its data.
            unhealthy.Add($"Redis refuses commands: {ex.Message}");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            unhealthy.Add($"Redis is unreachable: {ex.Message}");
        }
        if (latency is not null)
        {
            try
            {
                await redis.GetDatabase().StringSetAsync(WriteProbeKey, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimeSpan.FromMinutes(1))
                    .WaitAsync(TimeSpan.FromSeconds(2), ct);
            }
            catch (RedisServerException ex)
            {
                unhealthy.Add($"Redis refuses writes: {ex.Message}");
            }
            await CheckEvictionPolicyAsync(degraded, ct);
        }

        var services = await CheckServicesAsync(unhealthy, ct);
        var queueHealth = latency is null ? new Dictionary<string, QueueHealth>() : await CheckQueuesAsync(degraded, ct);
        var circuits = await CheckCircuitsAsync(degraded, ct);
        var workers = latency is null ? new Dictionary<string, int>() : await CheckWorkersAsync(degraded, ct);

        return new SystemHealthReport
        {
            Status = unhealthy.Count > 0 ? SystemHealthReport.Unhealthy : degraded.Count > 0 ? SystemHealthReport.Degraded : SystemHealthReport.Healthy,
            CheckedAt = DateTimeOffset.UtcNow,
            Reasons = [.. unhealthy, .. degraded],
            RedisLatencyMs = latency,
            Services = services,
            Queues = queueHealth,
            Circuits = circuits,
            LiveWorkersByType = workers,
        };
    }

    /// <summary>
    /// Any policy but <c>noeviction</c> lets a Redis that reaches its <c>maxmemory</c> drop keys, jobs and invocation
    /// records among them, without a word to anyone; managed Redis services often default to one.
    /// </summary>
    private async Task CheckEvictionPolicyAsync(List<string> degraded, CancellationToken ct)
    {
        var policy = (string?)await EvictionPolicyScript.EvaluateAsync(redis.GetDatabase(), [], []).WaitAsync(TimeSpan.FromSeconds(2), ct);
        if (policy is not null && policy != "noeviction")
        {
            degraded.Add($"Redis may evict queue data: its maxmemory-policy is {policy}; set it to noeviction.");
        }
    }

    /// <summary>Every service the AppHost told us about (<c>services__&lt;name&gt;__http__0</c>).</summary>
    private async Task<Dictionary<string, string>> CheckServicesAsync(List<string> unhealthy, CancellationToken ct)
    {
        var results = new Dictionary<string, string>();
        var http = httpClients.CreateClient(HttpClientName);
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            if (service["http:0"] is not { } url)
            {
                continue;
            }
            try
            {
                using var response = await http.GetAsync(new Uri(new Uri(url), "/health"), ct);
                results[service.Key] = response.IsSuccessStatusCode ? "healthy" : $"unhealthy ({(int)response.StatusCode})";
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                results[service.Key] = $"unreachable ({ex.GetType().Name})";
            }
            if (results[service.Key] != "healthy")
            {
                unhealthy.Add($"Service {service.Key} is {results[service.Key]}.");
            }
        }
        return results;
    }

    private async Task<Dictionary<string, QueueHealth>> CheckQueuesAsync(List<string> degraded, CancellationToken ct)
    {
        var results = new Dictionary<string, QueueHealth>();
        foreach (var queue in queues.All)
        {
            var counts = await queue.GetJobCountsAsync(ct, JobState.Waiting, JobState.Prioritized, JobState.Active, JobState.Delayed, JobState.Failed);
            var oldest = await queue.GetOldestWaitingSinceAsync(ct);
            var age = oldest is null ? 0 : Math.Max(0, (DateTimeOffset.UtcNow - oldest.Value).TotalSeconds);
            results[queue.Name] = new QueueHealth(
                counts[JobState.Waiting] + counts[JobState.Prioritized], counts[JobState.Active], counts[JobState.Delayed], counts[JobState.Failed], age);
            if (age > options.Value.MaxOldestWaitingAge.TotalSeconds)
            {
                degraded.Add($"Queue {queue.Name} has a job waiting for {age:0} s.");
            }
        }
        return results;
    }

    private async Task<Dictionary<string, string>> CheckCircuitsAsync(List<string> degraded, CancellationToken ct)
    {
        var results = new Dictionary<string, string>();
        if (configuration["services:webhook-manager:http:0"] is null)
        {
            return results;
        }
        try
        {
            using var scope = scopes.CreateScope();
            using var response = await scope.ServiceProvider.GetRequiredService<WebhookManagerClient>().SendAsync(HttpMethod.Get, "/endpoints", ct);
            response.EnsureSuccessStatusCode();
            foreach (var endpoint in JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsArray())
            {
                var name = endpoint!["endpoint"]!.GetValue<string>();
                var circuit = endpoint["circuit"]!.GetValue<string>();
                results[name] = circuit;
                if (circuit != "closed")
                {
                    degraded.Add($"The webhook circuit of {name} is {circuit}.");
                }
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            degraded.Add($"Webhook circuits are unknown: {ex.Message}");
        }
        return results;
    }

    private async Task<Dictionary<string, int>> CheckWorkersAsync(List<string> degraded, CancellationToken ct)
    {
        var live = await overview.GetWorkersAsync(ct);
        var byType = BotTypes.All.ToDictionary(type => type, type => live.Count(worker => worker.Types.Contains(type)));
        foreach (var (type, count) in byType.Where(pair => pair.Value == 0))
        {
            degraded.Add($"No live worker runs {type} bots.");
        }
        return byType;
    }
}
