using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using BotSystem.Testing;

namespace WebhooksBench;

/// <summary>Redis, a MockWebhook and a WebhookManager as real processes, and the two ways of delivering to the receiver.</summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private const string Secret = "whsec_YmVuY2gtd2ViaG9vay1zZWNyZXQtMDEyMzQ1Njc4OWFi";
    private const int PeerConcurrency = 64;

    private readonly RedisServer _redis;
    private readonly ServiceProcess _receiver;
    private readonly ServiceProcess _manager;
    private readonly int _receiverPort;
    private readonly HttpClient _control;
    private readonly Queue _queue;
    // Dead endpoints accept and never answer, so each request holds its place for the whole attempt timeout: the
    // harder case for the manager, next to a refused connection, which fails at once.
    private readonly HangingEndpoint _dead = new();
    private int _phase;

    private BenchSystem(RedisServer redis, ServiceProcess receiver, int receiverPort, ServiceProcess manager)
    {
        _redis = redis;
        _receiver = receiver;
        _receiverPort = receiverPort;
        _manager = manager;
        _control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{receiverPort}") };
        _queue = new Queue(QueueNames.Webhooks, redis.Connection);
    }

    /// <summary>A loopback address of its own for host <paramref name="host"/> of round <paramref name="round"/>; round 0 is the warm-up.</summary>
    public static string Host(int round, int host) => $"127.0.{round}.{host}";

    public static async Task<BenchSystem> StartAsync(int rounds)
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var receiverPort = FreePort.Next();
        var receiver = ServiceProcess.StartService("MockWebhook", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{receiverPort}",
            ["MockWebhook__Secret"] = Secret,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        var managerPort = FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{managerPort}",
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Webhooks__Concurrency"] = "256",
            ["Webhooks__Endpoint__RateLimitPerSecond"] = "100000",
            ["Webhooks__Endpoint__MaxConcurrentRequests"] = PeerConcurrency.ToString(),
            ["Clients__bench__WebhookSecrets__0"] = Secret,
        };
        var allowed = 0;
        for (var round = 0; round <= rounds; round++)
        {
            for (var host = 1; host < 100; host++)
            {
                settings[$"Clients__bench__AllowedWebhookHosts__{allowed++}"] = Host(round, host);
            }
        }
        var manager = ServiceProcess.StartService("WebhookManager", settings);
        await receiver.WaitUntilHealthyAsync($"http://127.0.0.1:{receiverPort}/health");
        await manager.WaitUntilHealthyAsync($"http://127.0.0.1:{managerPort}/health");
        return new BenchSystem(redis, receiver, receiverPort, manager);
    }

    /// <summary>Deliveries per second of a bare HttpClient loop posting signed payloads, <see cref="PeerConcurrency"/> at a time.</summary>
    public async Task<Measurement> PeerAsync(int count, string host)
    {
        await ResetAsync();
        var phase = ++_phase;
        var cpu = CpuSnapshot.Take(Process.GetCurrentProcess(), _receiver, _redis);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = PeerConcurrency });
        var url = $"http://{host}:{_receiverPort}/webhook";
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = PeerConcurrency }, async (i, ct) =>
        {
            var id = $"msg_peer{phase}_{i}";
            var body = Body(id);
            var now = DateTimeOffset.UtcNow;
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add(StandardWebhooks.IdHeader, id);
            request.Headers.Add(StandardWebhooks.TimestampHeader, now.ToUnixTimeSeconds().ToString());
            request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(id, now, body, Secret));
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
        });
        return cpu.Measure(count, stopwatch.Elapsed);
    }

    /// <summary>
    /// Deliveries per second through the WebhookManager to the healthy hosts, counted at the receiver. With dead
    /// hosts, as many deliveries to them are queued in between, so they compete for the manager's workers.
    /// </summary>
    public async Task<Measurement> ManagerAsync(int count, IReadOnlyList<string> healthyHosts, IReadOnlyList<string> deadHosts)
    {
        await ResetAsync();
        var phase = ++_phase;
        var cpu = CpuSnapshot.Take(Process.GetProcessById(_manager.Pid), _receiver, _redis);
        var stopwatch = Stopwatch.StartNew();
        var total = deadHosts.Count > 0 ? count * 2 : count;
        await AddAsync(total, i => deadHosts.Count > 0 && i % 2 == 1
            ? $"http://{deadHosts[i / 2 % deadHosts.Count]}:{_dead.Port}/webhook"
            : $"http://{healthyHosts[i / (deadHosts.Count > 0 ? 2 : 1) % healthyHosts.Count]}:{_receiverPort}/webhook", $"d{phase}");
        JsonObject stats;
        while ((long)(stats = (await _control.GetFromJsonAsync<JsonObject>("/stats"))!)["uniqueIds"]! < count)
        {
            if (stopwatch.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException("The manager did not deliver in time.\n" + _manager.Output);
            }
            await Task.Delay(10);
        }
        var elapsed = stopwatch.Elapsed;
        // Held to what the peer's EnsureSuccessStatusCode demands: every request the receiver counted was signed right.
        if ((long)stats["badSignatures"]! > 0)
        {
            throw new InvalidOperationException($"The receiver refused {stats["badSignatures"]} of the manager's signatures.");
        }
        return cpu.Measure(count, elapsed);
    }

    /// <summary>Deliveries per second, and the CPU time per delivery of the sender, the receiver and Redis.</summary>
    public sealed record Measurement(double PerSecond, TimeSpan SenderCpu, TimeSpan ReceiverCpu, TimeSpan RedisCpu);

    private sealed record CpuSnapshot(Process Sender, TimeSpan SenderCpu, ServiceProcess Receiver, TimeSpan ReceiverCpu, RedisServer Redis, TimeSpan RedisCpu)
    {
        public static CpuSnapshot Take(Process sender, ServiceProcess receiver, RedisServer redis)
        {
            sender.Refresh();
            return new(sender, sender.TotalProcessorTime, receiver, receiver.CpuTime, redis, redis.CpuTime);
        }

        public Measurement Measure(int count, TimeSpan elapsed)
        {
            var now = Take(Sender, Receiver, Redis);
            return new(count / elapsed.TotalSeconds, (now.SenderCpu - SenderCpu) / count, (now.ReceiverCpu - ReceiverCpu) / count, (now.RedisCpu - RedisCpu) / count);
        }
    }

    /// <summary>Removes what is left of a measurement (deliveries to dead endpoints waiting for their next attempt), so it does not weigh on the next.</summary>
    public Task DrainAsync() => _queue.DrainAsync(includeDelayed: true);

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _queue.DisposeAsync();
        await _manager.DisposeAsync();
        await _receiver.DisposeAsync();
        _dead.Dispose();
        await _redis.DisposeAsync();
    }

    private async Task AddAsync(int count, Func<int, string> url, string prefix)
    {
        foreach (var chunk in Enumerable.Range(0, count).Chunk(500))
        {
            await _queue.AddBulkAsync(chunk.Select(i =>
            {
                var invocationId = $"{prefix}-{i}";
                var data = new WebhookDeliveryJobData
                {
                    MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
                    InvocationId = invocationId,
                    ClientId = "bench",
                    Url = url(i),
                    EventType = WebhookEvent.Completed,
                    Body = Body(invocationId),
                };
                return new BulkJob("deliver", data, new JobOptions { JobId = WebhookDeliveryJobData.JobIdFor(invocationId), RemoveOnComplete = KeepJobs.All });
            }));
        }
    }

    private async Task ResetAsync()
    {
        using var response = await _control.DeleteAsync("/deliveries");
        response.EnsureSuccessStatusCode();
    }

    private static string Body(string id) =>
        new JsonObject
        {
            ["type"] = WebhookEvent.Completed,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["data"] = new JsonObject { ["jobId"] = id, ["status"] = "completed", ["result"] = new JsonObject { ["rows"] = 1200, ["total"] = 98231.5 } },
        }.ToJsonString();
}
